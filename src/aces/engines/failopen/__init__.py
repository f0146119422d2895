"""Commands that cannot fail: the ways a configured command hides a malfunction.

ACES runs the commands a policy configures (test runners, build commands, the
state-machine test command, topology tests) and reads their exit codes. A command
written so that it always exits 0 (``sh -c "pytest || true"``, ``ruff check
--exit-zero``, ``npm run test --if-present``, ``make -i``) turns a crash or a
failing test into a pass before ACES sees it, which the doctrine's fail-closed
principle forbids. ``fail_open_reasons`` names every such construct in one argv;
it is a pure function of the argv.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"})
# The command itself always succeeds.
NO_OPS = frozenset({"true", ":"})
# Options that make a tool exit 0 whatever it found or whatever went wrong.
SWALLOWING_FLAGS: dict[str, str] = {
    "--exit-zero": "`--exit-zero` makes the tool exit 0 whatever it finds",
    "--suppress-no-test-exit-code": (
        "`--suppress-no-test-exit-code` turns 'no test ran' into success"
    ),
    "--if-present": "`--if-present` succeeds when the script it should run does not exist",
    "--ignore-errors": "`--ignore-errors` lets make go on and succeed after a failing recipe",
    "--no-exit-code": "`--no-exit-code` hides the tool's verdict from its exit code",
}
MAKE_IGNORE = "`make -i` ignores every failing recipe"

_SHELL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\|\|\s*(?:true|:|/(?:usr/)?bin/true|exit\s+0)(?=\s|;|\)|$)"),
        "`|| true` turns every failure of the command before it into success",
    ),
    (
        re.compile(r"\|\|\s*(?:echo|printf)\b"),
        "`|| echo` prints instead of failing: the command before it cannot fail",
    ),
    (re.compile(r"(?:^|[;&\n]\s*)set\s+\+e\b"), "`set +e` lets the script go on after a failure"),
    (
        re.compile(r"(?:^|[;\n&]\s*)(?:exit\s+0|true|:)\s*;?\s*$"),
        "the script ends by succeeding, whatever its commands did",
    ),
    (re.compile(r"--exit-zero\b"), SWALLOWING_FLAGS["--exit-zero"]),
    (re.compile(r"--if-present\b"), SWALLOWING_FLAGS["--if-present"]),
)


def fail_open_reasons(argv: Sequence[str]) -> tuple[str, ...]:
    """Why ``argv`` would exit 0 whatever happened; empty when it can fail."""
    if not argv:
        return ()
    program = PurePosixPath(argv[0]).name
    if program in NO_OPS:
        return (f"`{program}` does nothing and always succeeds",)
    reasons: list[str] = []
    script = shell_script(argv)
    if script is not None:
        reasons.extend(message for pattern, message in _SHELL_PATTERNS if pattern.search(script))
    else:
        reasons.extend(SWALLOWING_FLAGS[arg] for arg in argv[1:] if arg in SWALLOWING_FLAGS)
        if program in {"make", "gmake"} and _has_short_flag(argv[1:], "i"):
            reasons.append(MAKE_IGNORE)
    return tuple(dict.fromkeys(reasons))


def shell_script(argv: Sequence[str]) -> str | None:
    """The script of ``sh -c SCRIPT`` (any shell, ``-c`` alone or among short flags)."""
    if PurePosixPath(argv[0]).name not in SHELLS:
        return None
    for index, arg in enumerate(argv[1:], start=1):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            return argv[index + 1] if index + 1 < len(argv) else ""
        if not arg.startswith("-") and arg != "sh":  # a script file: not ours to read
            return None
    return None


def _has_short_flag(args: Sequence[str], flag: str) -> bool:
    """True when a short-option cluster (``-ik``) among ``args`` holds ``flag``."""
    return any(a.startswith("-") and not a.startswith("--") and flag in a[1:] for a in args)
