"""What /proc says about processes: group members, resident memory, start times.

Linux only, like the servers the environment runs. A process is identified by
its pid *and* its start time (field 22 of ``/proc/<pid>/stat``), so a pid the
kernel reused for an unrelated program is never mistaken for ours.
"""

from __future__ import annotations

from pathlib import Path

_PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first)."""
    try:
        text = (_PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def start_time(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks after boot; None when it does not exist."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields and len(fields) > 19 else None


def is_live(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    fields = _stat_fields(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def group_members(pgid: int) -> tuple[int, ...]:
    """Live (non-zombie) processes of process group ``pgid``, sorted."""
    members = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return tuple(sorted(members))


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` (``VmRSS`` of ``/proc/<pid>/status``); 0 when gone."""
    try:
        text = (_PROC / str(pid) / "status").read_text(encoding="utf-8")
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024  # reported in kB
    return 0


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every live process of group ``pgid`` together."""
    return sum(rss_bytes(pid) for pid in group_members(pgid))
