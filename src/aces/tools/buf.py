"""The buf adapter: find the binary, run ``build`` / ``lint`` / ``breaking``, read its JSON.

buf is the engine of ``schema.proto-lint`` and ``schema.proto-breaking``. It is
found by the one resolver (``aces.tools.resolve``): the checked repository's
``.tools/`` (where ``make`` installs the pinned npm package ``@bufbuild/buf``),
then the ``.tools/`` of the ACES checkout itself, then PATH; the npm package's
real binary (``node_modules/@bufbuild/buf-<platform>/bin/buf``) wins over the
``.bin/buf`` wrapper, which needs node and starts far slower. Its version is
checked against ``[toolchain] buf`` before it runs.

Exit codes: 0 clean, 100 violations (one JSON object per line on stdout with
``--error-format=json``), anything else is an ERROR of the tool. Every run gets
``BUF_CACHE_DIR`` pointing into a directory the caller owns, so buf never writes
to the user's home.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aces.tools.catalog import get_tool
from aces.tools.process import CommandError, ProcessRunner
from aces.tools.resolve import ToolResolver, tool_dirs

BUF_INSTALL_HINT = "make buf (npm install --prefix .tools @bufbuild/buf@1.75.0)"
BUF_TIMEOUT_SECONDS = 300.0
BUF_MAX_OUTPUT = 20_000_000
EXIT_VIOLATIONS = 100


@dataclass(frozen=True)
class BufDiagnostic:
    """One line of buf's JSON output: a lint / breaking violation or a compile error."""

    path: str
    line: int | None
    column: int | None
    type: str
    message: str

    @property
    def is_compile_error(self) -> bool:
        """True for an error of the compiler rather than a rule."""
        return self.type == "COMPILE"


def find_buf(root: Path, env_path: str) -> Path | None:
    """The buf binary the resolver picks for the repository at ``root``, or None."""
    found = get_tool("buf").find(tool_dirs(root, env_path))
    return found.absolute() if found is not None else None


def parse_json_lines(text: str, argv: Sequence[str]) -> tuple[BufDiagnostic, ...]:
    """buf's ``--error-format=json`` output; ``ToolError`` when a line is not such an object."""
    found: list[BufDiagnostic] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            found.append(_diagnostic(data))
        except (ValueError, TypeError, KeyError) as exc:
            raise CommandError(
                f"printed line {number} that is not a buf JSON diagnostic ({exc})",
                argv=argv,
                stdout=text,
            ) from exc
    return tuple(found)


def _diagnostic(data: object) -> BufDiagnostic:
    """One decoded JSON object as a diagnostic (KeyError / TypeError when malformed)."""
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    line = data.get("start_line")
    column = data.get("start_column")
    return BufDiagnostic(
        path=str(data["path"]),
        line=int(line) if isinstance(line, int) and line > 0 else None,
        column=int(column) if isinstance(column, int) and column > 0 else None,
        type=str(data["type"]),
        message=str(data["message"]),
    )


@dataclass(frozen=True)
class Buf:
    """One buf binary, run through the run's ``ProcessRunner`` with a private cache dir."""

    executable: Path
    processes: ProcessRunner
    cache_dir: Path
    timeout: float = BUF_TIMEOUT_SECONDS

    @classmethod
    def locate(
        cls,
        root: Path,
        processes: ProcessRunner,
        cache_dir: Path,
        pins: Mapping[str, str] | None = None,
    ) -> Buf:
        """The buf for ``root``, checked against the ``[toolchain]`` pin (``ToolError`` if not).

        Found by the one resolver (``aces.tools.resolve``); its version is read
        and compared with ``pins["buf"]``, so a wrong buf never judges a schema.
        """
        resolver = ToolResolver.for_repository(root, processes, pins or {})
        return cls(resolver.require("buf", root).path, processes, cache_dir)

    def build(
        self, cwd: Path, source: str, output: Path, config: str | None
    ) -> tuple[BufDiagnostic, ...]:
        """``buf build source -o output``; the compile errors, empty when it built."""
        return self._run(cwd, ("build", source, "-o", str(output)), config)

    def lint(self, cwd: Path, source: str, config: str | None) -> tuple[BufDiagnostic, ...]:
        """``buf lint source``: lint violations, or compile errors when it does not build."""
        return self._run(cwd, ("lint", source), config)

    def breaking(
        self, cwd: Path, source: str, against: str, config: str | None
    ) -> tuple[BufDiagnostic, ...]:
        """``buf breaking source --against against``: the breaking changes found."""
        return self._run(cwd, ("breaking", source, "--against", against), config)

    def version(self, cwd: Path) -> str:
        """What ``buf --version`` prints."""
        result = self.processes.run(
            (self.executable, "--version"), cwd=cwd, timeout=30.0, env=self._env()
        )
        return result.check_ok().stdout.strip() or result.stderr.strip()

    def _run(
        self, cwd: Path, args: tuple[str, ...], config: str | None
    ) -> tuple[BufDiagnostic, ...]:
        """Run one buf command; 0 -> none, 100 -> its diagnostics, else ``CommandError``."""
        argv: tuple[str, ...] = (str(self.executable), *args, "--error-format=json")
        if config is not None:
            argv += ("--config", config)
        result = self.processes.run(
            argv,
            cwd=cwd,
            timeout=self.timeout,
            env=self._env(),
            max_output=BUF_MAX_OUTPUT,
            install_hint=BUF_INSTALL_HINT,
        )
        if result.truncated:
            raise CommandError("printed more output than ACES reads", argv=argv)
        if result.returncode == 0:
            if result.stdout.strip():  # buf prints nothing when it finds nothing
                raise CommandError(
                    "exited with 0 (nothing found) but printed output ACES cannot read",
                    argv=argv,
                    stdout=result.stdout,
                    stderr=result.stderr,
                )
            return ()
        if result.returncode != EXIT_VIOLATIONS:
            result.check_ok()
        # buf writes compile errors of `build` to stderr, rule violations to stdout
        json_errors = "\n".join(
            line for line in result.stderr.splitlines() if line.lstrip().startswith("{")
        )
        found = parse_json_lines(result.stdout + "\n" + json_errors, argv)
        if not found:
            raise CommandError(
                "exited with 100 (violations) but reported none",
                argv=argv,
                stdout=result.stdout,
                stderr=result.stderr,
            )
        return found

    def _env(self) -> dict[str, str]:
        """buf's cache inside a directory of this run; no telemetry prompts."""
        return {"BUF_CACHE_DIR": str(self.cache_dir), "NO_COLOR": "1"}
