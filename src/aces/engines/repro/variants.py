"""The two builds of a reproducibility check and how they deliberately differ.

Build A is the reference; build B changes everything a reproducible build must
not depend on: the directory it runs in (another name, another length), the
clock (shifted with libfaketime when it works for the build's programs), the
umask, the locale, the time zone, and the order in which the tree's files were
created. Both get the same ``SOURCE_DATE_EPOCH`` (the HEAD commit time): that
is the one time a build may embed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

CLOCK_SHIFT = "+3d"  # faketime's relative offset: three days ahead
# libfaketime also fakes the monotonic clock by default, which would break the
# timeouts of the build tools themselves; only wall-clock time is shifted.
FAKETIME_ENV: Mapping[str, str] = {"FAKETIME_DONT_FAKE_MONOTONIC": "1"}
# The system shell sets the umask; it is part of the system, not a tool of the build.
SHELL = "/bin/sh"


@dataclass(frozen=True)
class Variant:
    """The conditions of one build."""

    label: str
    tree_dir: str  # directory name of the copy inside its temp dir
    umask: int
    locale: str
    tz: str
    reverse_copy: bool  # create the tree's files in reverse order
    clock_shift: str | None = None  # faketime offset, when applied

    def env(self, source_date_epoch: int) -> dict[str, str]:
        """Environment variables this variant sets for each build command."""
        return {
            "LANG": self.locale,
            "LC_ALL": self.locale,
            "TZ": self.tz,
            "SOURCE_DATE_EPOCH": str(source_date_epoch),
        }

    def describe(self) -> str:
        """One line naming the variant's conditions."""
        clock = f"clock {self.clock_shift}" if self.clock_shift else "clock not shifted"
        order = "reverse" if self.reverse_copy else "sorted"
        return (
            f"build {self.label}: dir {self.tree_dir!r}, umask {self.umask:03o}, "
            f"LC_ALL={self.locale}, TZ={self.tz}, {clock}, files created in {order} order"
        )


def variants(other_locale: str, *, shift_clock: bool) -> tuple[Variant, Variant]:
    """The reference build and the varied one."""
    a = Variant("A", "src", 0o022, "C.UTF-8", "UTC", reverse_copy=False)
    b = Variant(
        "B",
        "aces-build-tree-variant-b",
        0o077,
        other_locale,
        "Asia/Kolkata",
        reverse_copy=True,
        clock_shift=CLOCK_SHIFT if shift_clock else None,
    )
    return a, b


_C_LOCALES = frozenset({"c", "c.utf8", "c.utf-8", "posix"})


def pick_other_locale(installed: Sequence[str]) -> str:
    """A locale other than C.UTF-8 for build B: an installed one, else ``POSIX``."""
    for name in sorted(installed):
        if name.strip() and name.strip().lower() not in _C_LOCALES:
            return name.strip()
    return "POSIX"


def wrap(argv: Sequence[str], variant: Variant, *, faketime: str = "faketime") -> tuple[str, ...]:
    """``argv`` run under the variant's umask (and shifted clock, by ``faketime``), through sh."""
    # "$@" keeps every argument intact: nothing of argv is parsed by the shell.
    shell = (SHELL, "-c", f'umask {variant.umask:03o} && exec "$@"', "aces-build", *argv)
    if variant.clock_shift:
        return (faketime, "-f", variant.clock_shift, *shell)
    return shell


def program_name(argv: Sequence[str]) -> str:
    """The base name of the program ``argv`` starts (``/usr/bin/cargo`` -> ``cargo``)."""
    return PurePosixPath(argv[0]).name if argv else ""
