"""Dockerfiles parsed into instructions with lines, heredoc bodies and resolved bases.

``dockerfile-parse`` reads the instructions (continuations, comments, parser
directives). It predates BuildKit heredocs (``RUN <<EOF`` ... ``EOF``) and would
read each body line as an instruction of its own, so the bodies are cut out
first, keeping line numbers, and attached to the instruction that opened them.
Lines are 1-based.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from dockerfile_parse import DockerfileParser

from aces.errors import InputError

# <<EOF, <<-EOF, <<"EOF", <<'EOF' (a here-string <<< is not a heredoc)
_HEREDOC = re.compile(r"(?<!<)<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_ARG_REF = re.compile(
    r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class Instruction:
    """One instruction: keyword (upper case), its value, first and last line, heredoc bodies."""

    keyword: str
    value: str
    line: int
    end_line: int
    heredocs: tuple[str, ...] = ()
    heredoc_lines: tuple[int, ...] = ()  # first line of each heredoc body


@dataclass(frozen=True)
class Dockerfile:
    """The instructions of one Dockerfile, in order."""

    path: str
    instructions: tuple[Instruction, ...]


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    """Parse ``text`` (the content of ``path``); ``InputError`` on an unterminated heredoc."""
    blanked, bodies = cut_heredocs(path, text)
    parser = DockerfileParser(fileobj=io.StringIO(blanked))
    instructions = []
    for item in parser.structure:
        keyword = str(item["instruction"]).upper()
        if keyword == "COMMENT":
            continue
        line = int(item["startline"]) + 1
        instructions.append(
            Instruction(
                keyword=keyword,
                value=str(item["value"]),
                line=line,
                end_line=int(item["endline"]) + 1,
                heredocs=tuple(body for _, body in bodies.get(line, ())),
                heredoc_lines=tuple(first for first, _ in bodies.get(line, ())),
            )
        )
    return Dockerfile(path, tuple(instructions))


def cut_heredocs(path: str, text: str) -> tuple[str, dict[int, tuple[tuple[int, str], ...]]]:
    """``text`` with heredoc bodies blanked, and (first line, body) by the opening line."""
    lines = text.splitlines()
    out = list(lines)
    bodies: dict[int, list[tuple[int, str]]] = {}
    start, i, continued = 0, 0, False
    while i < len(lines):
        line = lines[i]
        if not continued:
            start = i
        comment = not continued and line.lstrip().startswith("#")
        continued = not comment and line.rstrip().endswith("\\")
        opens = [] if comment else _HEREDOC.findall(line)
        i += 1
        for dash, _quote, word in opens:
            end = _terminator(path, lines, i, word, strip_tabs=bool(dash))
            bodies.setdefault(start + 1, []).append((i + 1, "\n".join(lines[i:end])))
            out[i : end + 1] = [""] * (end + 1 - i)
            i, continued = end + 1, False
    blanked = "\n".join(out) + ("\n" if text.endswith("\n") else "")
    return blanked, {line: tuple(found) for line, found in bodies.items()}


def _terminator(path: str, lines: list[str], start: int, word: str, *, strip_tabs: bool) -> int:
    """0-based index of the line that closes the heredoc ``word`` opened before ``start``."""
    for end in range(start, len(lines)):
        candidate = lines[end].lstrip("\t") if strip_tabs else lines[end]
        if candidate.rstrip() == word:
            return end
    raise InputError(
        f"heredoc <<{word} opened on line {start} is never closed by a line {word!r}",
        path=path,
        hint=f"end the heredoc with a line containing only {word}",
    )


# -- stages and base images ------------------------------------------------------


@dataclass(frozen=True)
class BaseImage:
    """The image a ``FROM`` builds on: as written, resolved, and whether it is a stage."""

    line: int
    written: str
    image: str  # ARG references substituted ("" when unresolved)
    alias: str
    is_stage: bool  # refers to an earlier stage of the same file
    unresolved: tuple[str, ...]  # ARG names without a value


def base_images(dockerfile: Dockerfile) -> tuple[BaseImage, ...]:
    """Every ``FROM`` of the file, with ARG defaults before the first FROM substituted."""
    args: dict[str, str | None] = {}
    stages: set[str] = set()
    found: list[BaseImage] = []
    for ins in dockerfile.instructions:
        if ins.keyword == "ARG" and not found:
            args.update(parse_arg(ins.value))
        elif ins.keyword == "FROM":
            base = _base(ins, args, stages)
            found.append(base)
            if base.alias:
                stages.add(base.alias.lower())
    return tuple(found)


def parse_arg(value: str) -> dict[str, str | None]:
    """``NAME=default`` / ``NAME`` pairs of one ARG instruction (quotes removed)."""
    out: dict[str, str | None] = {}
    for part in value.split():
        name, sep, default = part.partition("=")
        out[name] = default.strip("\"'") if sep else None
    return out


def _base(ins: Instruction, args: dict[str, str | None], stages: set[str]) -> BaseImage:
    """One FROM: flags dropped, ``AS alias`` split off, ARG references substituted."""
    words = [w for w in ins.value.split() if not w.startswith("--")]
    written = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
    image, unresolved = substitute(written, args)
    is_stage = not unresolved and image.lower() in stages
    return BaseImage(ins.line, written, image, alias, is_stage, unresolved)


def substitute(text: str, args: dict[str, str | None]) -> tuple[str, tuple[str, ...]]:
    """``text`` with ``$NAME`` / ``${NAME}`` / ``${NAME:-x}`` / ``${NAME:+x}`` replaced.

    Returns the names that have no value (an ARG without default, or no ARG).
    """
    unresolved: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3) or ""
        current = args.get(name)
        if op == "-":
            return current if current else word
        if op == "+":
            return word if current else ""
        if current is None:
            unresolved.append(name)
            return ""
        return current

    return _ARG_REF.sub(value, text), tuple(dict.fromkeys(unresolved))
