"""Regenerate a ``.proto`` file's Python code with protoc, into a scratch directory.

The source is found by the name the committed descriptor records (the proto's
path relative to its import root): a tracked file equal to that name or ending
in ``/<name>``; the part before the name is the import root. The proto's
imports are found the same way, each adding its root to the include path;
well-known types (``google/protobuf/*``) come from protoc's own includes.
protoc (``python -m grpc_tools.protoc``) writes ``_pb2.py``, ``_pb2.pyi`` and
``_pb2_grpc.py`` at once; exit 1 is protoc's "does not compile", any other
failure is an error of the tool.
"""

from __future__ import annotations

import posixpath
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aces.engines.proto.gencode import GRPC, PB2, PYI
from aces.tools.process import CommandError, ProcessRunner
from aces.workspace.scratch import scratch_parent

WELL_KNOWN_PREFIX = "google/protobuf/"
PROTOC_MODULE = ("-m", "grpc_tools.protoc")
EXIT_DOES_NOT_COMPILE = 1
_OUT_FLAGS = {PB2: "--python_out", PYI: "--pyi_out", GRPC: "--grpc_python_out"}


@dataclass(frozen=True)
class ProtoSource:
    """A .proto file of the repository: its tracked path, import name and import root."""

    path: str
    name: str
    root: str  # "." when the name is relative to the repository's top


@dataclass(frozen=True)
class Regenerated:
    """protoc's output for one proto: text by kind, or why it does not compile."""

    outputs: dict[str, str]
    compile_error: str = ""


def is_well_known(name: str) -> bool:
    """A descriptor name that protoc's bundled includes provide (a dependency, not the repo)."""
    return name.startswith(WELL_KNOWN_PREFIX)


def is_proto_name(name: str) -> bool:
    """A relative ``.proto`` path protoc can take as an argument (never an option, never up)."""
    parts = name.split("/")
    return name.endswith(".proto") and not name.startswith(("-", "/")) and ".." not in parts


def locate(name: str, files: Sequence[str], near: str) -> ProtoSource | None:
    """The tracked .proto whose import name is ``name``, nearest to the file ``near``.

    Several candidates (copies in vendored trees): the one sharing the longest
    leading directories with ``near``, then the shortest path, then the first.
    """
    candidates = [f for f in files if f == name or f.endswith(f"/{name}")]
    if not candidates:
        return None
    best = min(candidates, key=lambda f: (-_shared_depth(f, near), len(f), f))
    root = best[: -len(name)].rstrip("/") or "."
    return ProtoSource(best, name, root)


def _shared_depth(a: str, b: str) -> int:
    common = posixpath.commonpath([posixpath.dirname(a) or ".", posixpath.dirname(b) or "."])
    return 0 if common in ("", ".") else common.count("/") + 1


def include_roots(source: ProtoSource, imports: Iterable[str], files: Sequence[str]) -> list[str]:
    """The source's root, then each tracked import's root, once each in that order."""
    roots = [source.root]
    for name in imports:
        found = None if is_well_known(name) else locate(name, files, source.path)
        if found is not None and found.root not in roots:
            roots.append(found.root)
    return roots


def regen_command(interpreter: str, roots: Sequence[str], kind: str, out: str, name: str) -> str:
    """The command a developer runs to regenerate one kind of output (for the remedy)."""
    includes = " ".join(f"-I{r}" for r in roots)
    return f"{interpreter} -m grpc_tools.protoc {includes} {_OUT_FLAGS[kind]}={out} {name}"


def output_name(name: str, kind: str) -> str:
    """The path protoc writes for ``name``: its Python module name as a path.

    ``-`` becomes ``_`` and every ``.`` a package separator, in folders too:
    ``a/v0.1/b-c.proto`` -> ``a/v0/1/b_c_pb2.py``.
    """
    stem = name.removesuffix(".proto")
    return stem.replace("-", "_").replace(".", "/") + kind


def output_root(path: str, name: str, kind: str) -> str:
    """The directory to pass as ``--*_out`` so protoc writes ``path`` again."""
    folder = path.rsplit("/", 1)[0] if "/" in path else "."
    written = output_name(name, kind)
    package = written.rsplit("/", 1)[0] if "/" in written else ""
    if package and (folder == package or folder.endswith(f"/{package}")):
        folder = folder[: -len(package)].rstrip("/") or "."
    return folder


def regenerate(
    runner: ProcessRunner,
    interpreter: Path,
    root: Path,
    roots: Sequence[str],
    name: str,
    timeout: float,
) -> Regenerated:
    """protoc's three outputs for ``name``; ``CommandError`` when protoc fails otherwise."""
    with tempfile.TemporaryDirectory(prefix="aces-regen-", dir=scratch_parent()) as tmp:
        argv = [str(interpreter), *PROTOC_MODULE, *(f"-I{r}" for r in roots)]
        argv += [f"{flag}={tmp}" for flag in _OUT_FLAGS.values()]
        result = runner.run([*argv, name], cwd=root, timeout=timeout)
        if result.returncode == EXIT_DOES_NOT_COMPILE and result.stderr.strip():
            return Regenerated({}, result.stderr.strip().splitlines()[0])
        result.check_ok()
        outputs = {}
        for kind in _OUT_FLAGS:
            written = Path(tmp) / output_name(name, kind)
            outputs[kind] = written.read_text(encoding="utf-8") if written.is_file() else ""
        if not outputs[PB2]:
            # exit 0 with nothing written: protoc's output cannot be trusted for anything
            raise CommandError(
                f"exited 0 but wrote no {output_name(name, PB2)}",
                argv=result.argv,
                stdout=result.stdout,
                stderr=result.stderr,
            )
        return Regenerated(outputs)
