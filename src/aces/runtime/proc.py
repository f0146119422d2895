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


def session_id(pid: int) -> int | None:
    """The session ``pid`` belongs to; None when it does not exist."""
    fields = _stat_fields(pid)
    return int(fields[3]) if fields and len(fields) > 3 else None


def group_started_by(pgid: int, leader_start: int) -> bool:
    """Whether group ``pgid`` has live members and is the group of the recorded leader.

    The leader (pid == pgid, alive or a zombie) must have the recorded start time.
    When it is reaped already, the group id cannot have been reused while members
    remain, so the members must merely have started after the recorded leader.
    """
    members = group_members(pgid)
    if not members:
        return False
    leader = start_time(pgid)
    if leader is not None:
        return leader == leader_start
    return all((start_time(pid) or 0) >= leader_start for pid in members)


def processes_of_run_dir(
    run_dir: Path, *, started_after: int = 0, outside_session: int | None = None
) -> tuple[int, ...]:
    """Live processes working in ``run_dir`` or started for it (``ACES_ENV_DIR``), sorted.

    Only those started at or after ``started_after`` (clock ticks after boot) and
    outside session ``outside_session`` (a shell the owner ran in) count: what
    aces started for the environment, not a person looking at its logs.
    """
    inside = str(run_dir)
    marker = f"\0ACES_ENV_DIR={inside}\0".encode()
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        fields = _stat_fields(pid)
        if not fields or fields[0] in ("Z", "X") or int(fields[19]) < started_after:
            continue
        if outside_session is not None and int(fields[3]) == outside_session:
            continue
        if _works_in(entry, inside) or marker in _environ(entry):
            found.append(pid)
    return tuple(sorted(found))


def _works_in(entry: Path, directory: str) -> bool:
    try:
        cwd = str((entry / "cwd").readlink())
    except OSError:
        return False
    return cwd == directory or cwd.startswith(directory + "/")


def _environ(entry: Path) -> bytes:
    try:
        return b"\0" + (entry / "environ").read_bytes()
    except OSError:
        return b""
