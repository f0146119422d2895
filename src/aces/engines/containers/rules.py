"""Pinning rules for Dockerfiles: base images by digest, package installs by version.

Each rule returns ``Issue`` values (rule suffix, line, message); the stage turns
them into findings ``build.pinned-images.<rule>``. Shell commands of ``RUN``
(and their heredoc bodies) are split into simple commands and each install
command is read with ``shlex``, so quoting and ``&&`` chains are understood.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from aces.engines.containers.dockerfile import Dockerfile, base_images

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
_SEPARATORS = re.compile(r"&&|\|\||[;|\n]")


@dataclass(frozen=True)
class Issue:
    """One pinning problem: the rule suffix, the 1-based line and the message."""

    rule: str
    line: int
    message: str
    key: str  # what identifies it without the line (the image or package)


def base_image_issues(dockerfile: Dockerfile) -> Iterator[Issue]:
    """Every external ``FROM`` not pinned by digest, and every unresolvable ARG in one."""
    for base in base_images(dockerfile):
        if base.unresolved:
            names = ", ".join(base.unresolved)
            yield Issue(
                "unresolved-arg",
                base.line,
                f"FROM {base.written}: ARG {names} has no default value, so the base image "
                "cannot be known",
                base.written,
            )
        elif (
            not base.is_stage and base.image.lower() != "scratch" and not DIGEST.search(base.image)
        ):
            shown = base.image if base.image == base.written else f"{base.written} ({base.image})"
            moving = " (:latest names whatever was pushed last)" if _is_latest(base.image) else ""
            yield Issue(
                "from-digest",
                base.line,
                f"base image {shown} is not pinned by digest (@sha256:...){moving}",
                base.image,
            )


def package_issues(dockerfile: Dockerfile) -> Iterator[Issue]:
    """Every package install in a ``RUN`` (or its heredoc) that does not pin versions."""
    for ins in dockerfile.instructions:
        if ins.keyword != "RUN":
            continue
        scripts = tuple(zip(ins.heredoc_lines, ins.heredocs, strict=True)) or (
            (ins.line, ins.value),
        )
        for first, script in scripts:
            for offset, logical in logical_lines(script):
                for words in simple_commands(logical):
                    for problem in install_problems(words):
                        yield Issue("package", first + offset, problem, problem)


def _is_latest(image: str) -> bool:
    """``name:latest``, or a name without tag (which Docker reads as ``:latest``)."""
    last = image.rsplit("/", 1)[-1]
    return last.endswith(":latest") or (":" not in last and "@" not in last)


def plaintext_downloads(dockerfile: Dockerfile) -> Iterator[Issue]:
    """Every build input fetched over plaintext HTTP: ``ADD http://`` and downloads in RUN."""
    for ins in dockerfile.instructions:
        if ins.keyword == "ADD":
            for url in _PLAIN_URL.findall(ins.value):
                if not _local(url):
                    yield _plaintext(ins.line, "ADD", url)
        if ins.keyword != "RUN":
            continue
        scripts = tuple(zip(ins.heredoc_lines, ins.heredocs, strict=True)) or (
            (ins.line, ins.value),
        )
        for first, script in scripts:
            for offset, logical in logical_lines(script):
                for words in simple_commands(logical):
                    tool = words[0].rsplit("/", 1)[-1]
                    if tool not in _DOWNLOADERS:
                        continue
                    for url in (w for w in words[1:] if _PLAIN_URL.fullmatch(w)):
                        if not _local(url):
                            yield _plaintext(first + offset, tool, url)


_DOWNLOADERS = frozenset({"wget", "curl", "aria2c", "fetch", "git", "svn", "hg", "ftp", "http"})
_PLAIN_URL = re.compile(r"(?i)(?:http|ftp)://[^\s'\"]+")
_LOCAL_HOST = re.compile(
    r"(?i)^(?:http|ftp)://(?:[^@/]*@)?(?:localhost|127\.[\d.]+|\[::1\])(?:[:/]|$)"
)


def _local(url: str) -> bool:
    return bool(_LOCAL_HOST.match(url))


def _plaintext(line: int, tool: str, url: str) -> Issue:
    return Issue(
        "plaintext-download",
        line,
        f"{tool} fetches the build input {url} over plaintext: anyone on the path can replace "
        "it (use https:// and check a digest)",
        url,
    )


def logical_lines(script: str) -> Iterator[tuple[int, str]]:
    """(offset of its first line, text) of each line of ``script``, continuations joined."""
    pending: list[str] = []
    start = 0
    for offset, line in enumerate(script.split("\n")):
        if not pending:
            start = offset
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        yield start, " ".join([*pending, line])
        pending = []
    if pending:
        yield start, " ".join(pending)


def simple_commands(script: str) -> Iterator[list[str]]:
    """The words of each simple command of a shell script (line continuations joined)."""
    joined = script.replace("\\\n", " ")
    for part in _SEPARATORS.split(joined):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            continue  # unbalanced quotes across a separator: not an install we can read
        while words and ("=" in words[0] and not words[0].startswith("-")):
            words = words[1:]  # VAR=value prefixes
        if words and words[0] in ("sudo", "exec", "command"):
            words = words[1:]
        if words:
            yield words


def install_problems(words: Sequence[str]) -> list[str]:
    """Problems of one simple command if it installs packages; [] otherwise."""
    tool = words[0].rsplit("/", 1)[-1]
    args = list(words[1:])
    if tool in ("apt-get", "apt") and "install" in args:
        return _unpinned(tool, _after(args, "install", _APT_VALUE_OPTS), "=", "pkg=version")
    if tool == "apk" and "add" in args:
        return _unpinned(tool, _after(args, "add", _APK_VALUE_OPTS), "=", "pkg=version")
    if tool in ("pip", "pip3") and "install" in args:
        return _pip(args[args.index("install") + 1 :])
    if tool.startswith("python") and args[:3] == ["-m", "pip", "install"]:
        return _pip(args[3:])
    if tool == "npm" and args[:1] in (["install"], ["i"], ["add"]):
        return _npm(args[1:])
    return []


_APT_VALUE_OPTS = frozenset({"-o", "-t", "--target-release", "-c", "--config-file"})
_APK_VALUE_OPTS = frozenset(
    {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir"}
)
_PIP_VALUE_OPTS = frozenset(
    {
        "-c",
        "--constraint",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--trusted-host",
        "--cache-dir",
        "--progress-bar",
    }
)


def _after(args: list[str], verb: str, value_opts: frozenset[str]) -> list[str]:
    """Positional arguments after ``verb``, options (and their values) skipped."""
    out: list[str] = []
    rest = args[args.index(verb) + 1 :]
    skip = False
    for arg in rest:
        if skip:
            skip = False
        elif arg in value_opts:
            skip = True
        elif not arg.startswith("-"):
            out.append(arg)
    return out


def _unpinned(tool: str, packages: list[str], sep: str, form: str) -> list[str]:
    """One problem per package without a version."""
    return [
        f"`{tool}` installs {pkg} without a pinned version ({form})"
        for pkg in packages
        if sep not in pkg and not pkg.endswith(".deb") and not pkg.startswith(("/", "./"))
    ]


_PIP_PINNED = re.compile(r"^[A-Za-z0-9._\[\],-]+===?[^=*<>!~]+$")


def _pip(args: list[str]) -> list[str]:
    """pip: ``name==version`` each; ``-r`` only with hashes; local paths with --no-deps."""
    problems: list[str] = []
    hashes = "--require-hashes" in args
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg in ("-r", "--requirement"):
            skip = True
            target = args[i + 1] if i + 1 < len(args) else ""
            if not hashes:
                problems.append(
                    f"`pip install -r {target}` without --require-hashes does not pin "
                    "what it downloads"
                )
        elif arg in _PIP_VALUE_OPTS or arg in ("-e", "--editable"):
            skip = True
        elif arg.startswith("-"):
            continue
        elif arg.startswith((".", "/")) or arg.endswith((".whl", ".tar.gz")):
            if "--no-deps" not in args and not hashes:
                problems.append(
                    f"`pip install {arg}` resolves its dependencies unpinned (add --no-deps "
                    "and install pinned requirements, or use --require-hashes)"
                )
        elif not _PIP_PINNED.match(arg):
            problems.append(f"`pip` installs {arg} without a pinned version (pkg==version)")
    return problems


_NPM_EXACT = re.compile(r"^(@[^/]+/)?[^@]+@\d+\.\d+\.\d+[\w.+-]*$")


def _npm(args: list[str]) -> list[str]:
    """npm: ``npm ci`` pins through the lockfile; ``npm install`` only with exact versions."""
    packages = [a for a in args if not a.startswith("-")]
    if not packages:
        return ["`npm install` may update the lockfile; use `npm ci`"]
    return [
        f"`npm` installs {pkg} without an exact version (pkg@1.2.3)"
        for pkg in packages
        if not _NPM_EXACT.match(pkg)
    ]
