"""The one helper through which ACES starts every subprocess.

``ProcessRunner.run`` starts a child in its own process group with an explicit,
minimal environment, captures stdout and stderr up to a bound without ever
blocking on a full pipe, and enforces a timeout by stopping the whole group
(SIGTERM, a grace period, then SIGKILL), grandchildren included. A run may not
outlive its call: processes of the group still alive when the child exits are
stopped too. ``terminate_all`` stops every group still running, from any thread;
the CLI calls it when ACES itself receives SIGTERM or SIGINT.

``ProcessRunner.start`` launches a long-running server (a NATS node, a service
replica) in its own process group with its output going to a log file; it runs
until ``stop`` (or ``terminate_all``) ends its group the same way.

Every failure is a ``ToolError``; ``CommandError`` is the one that carries a
command and its output, shown indented by ``diagnostics()``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from aces.errors import ToolError

DEFAULT_MAX_OUTPUT = 1_000_000
DEFAULT_GRACE_SECONDS = 3.0
TAIL_LINES = 20

_CHUNK = 65_536
_POLL_SECONDS = 0.02
# After SIGKILL the kernel needs only a moment; this bounds the wait for a
# process stuck in uninterruptible sleep (a hung NFS read) so ACES still exits.
_KILL_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class ProcessResult:
    """What a finished command did: exit code, captured output and duration."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    truncated: bool
    duration: float
    # stdout as the child wrote it, for callers that parse bytes (git's -z listings)
    raw_stdout: bytes = field(default=b"", repr=False)

    def check_ok(self, allowed: Collection[int] = (0,)) -> ProcessResult:
        """This result when its exit code is allowed; otherwise raise ``CommandError``."""
        if self.returncode in allowed:
            return self
        raise CommandError(
            describe_exit(self.returncode),
            argv=self.argv,
            stdout=self.stdout,
            stderr=self.stderr,
            truncated=self.truncated,
        )


@dataclass(frozen=True)
class StartedProcess:
    """A long-running process from ``ProcessRunner.start``; it leads its own process group."""

    argv: tuple[str, ...]
    pid: int  # also the process group id
    log_path: Path  # stdout and stderr, interleaved
    popen: subprocess.Popen[bytes]

    @property
    def pgid(self) -> int:
        """The id of the process group the process leads."""
        return self.pid

    def poll(self) -> int | None:
        """The exit code once the process has exited (negative: killed by a signal), else None."""
        return self.popen.poll()


class CommandError(ToolError):
    """A command that failed, timed out or was stopped, with its output for the diagnosis."""

    def __init__(
        self,
        message: str,
        *,
        argv: Sequence[str],
        stdout: str = "",
        stderr: str = "",
        truncated: bool = False,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.argv = tuple(argv)
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated

    def diagnostics(self) -> str:
        """The command, what went wrong, then the indented tail of each output stream."""
        lines = [f"`{shlex.join(self.argv)}` {self.message}"]
        lines.extend(format_output(self.stdout, self.stderr, truncated=self.truncated))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


def describe_exit(returncode: int) -> str:
    """``exited with code 3`` or, for a negative code, the signal that killed the process."""
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"was killed by {name}"


def format_output(stdout: str, stderr: str, *, truncated: bool = False) -> list[str]:
    """Indented tails of stdout and stderr, as lines for a diagnostic message."""
    lines: list[str] = []
    for label, text in (("stdout", stdout), ("stderr", stderr)):
        if text.strip():
            lines.append(f"  {label}:")
            lines.extend(f"    {line}".rstrip() for line in tail(text))
    if not lines:
        lines.append("  (no output)")
    if truncated:
        lines.append("  (output was truncated)")
    return lines


def tail(text: str, limit: int = TAIL_LINES) -> list[str]:
    """The last ``limit`` lines of ``text``, preceded by a count of the omitted ones."""
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= limit:
        return lines
    omitted = len(lines) - limit
    return [f"... ({omitted} earlier lines omitted)", *lines[-limit:]]


def minimal_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The base environment of every child: PATH and HOME from ``environ``, fixed locale and TZ.

    Nothing else is inherited, so a token in the caller's environment never
    reaches a tool unless a caller passes it on purpose, and output does not
    depend on the user's locale or time zone.
    """
    env = {"PATH": environ.get("PATH", os.defpath), "LANG": "C.UTF-8", "TZ": "UTC"}
    if "HOME" in environ:
        env["HOME"] = environ["HOME"]
    return env


class _StreamReader:
    """Drains one pipe in a thread, keeping at most ``limit`` bytes.

    Reading continues past the limit (the excess is dropped) so the child never
    blocks on a full pipe, whatever it prints.
    """

    def __init__(self, stream: IO[bytes], limit: int, name: str) -> None:
        self._stream = stream
        self._limit = limit
        self._data = bytearray()
        self.truncated = False
        self._thread = threading.Thread(target=self._pump, name=name, daemon=True)

    def start(self) -> None:
        """Begin draining the pipe."""
        self._thread.start()

    def join(self, timeout: float) -> None:
        """Wait until the pipe is closed by every writer, at most ``timeout`` seconds."""
        self._thread.join(timeout)

    def text(self) -> str:
        """What was captured, decoded as UTF-8 (undecodable bytes replaced)."""
        return bytes(self._data).decode("utf-8", errors="replace")

    def raw(self) -> bytes:
        """What was captured, as bytes."""
        return bytes(self._data)

    def _pump(self) -> None:
        fd = self._stream.fileno()
        try:
            while chunk := os.read(fd, _CHUNK):
                room = self._limit - len(self._data)
                if room > 0:
                    self._data += chunk[:room]
                if len(chunk) > room:
                    self.truncated = True
        except OSError:
            pass
        finally:
            self._stream.close()


def _write_input(stream: IO[bytes], data: bytes) -> None:
    """Feed stdin, then close it; a child that stops reading early is not an error."""
    try:
        stream.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _group_has_live_members(pgid: int) -> bool:
    """Whether any process of group ``pgid`` is still running (zombies do not count).

    ``killpg(pgid, 0)`` alone would count zombies that a non-reaping init keeps
    around forever in some containers, so /proc is consulted when it exists.
    """
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    return any(_is_live_member(entry, pgid) for entry in os.scandir(proc) if entry.name.isdigit())


def _is_live_member(entry: os.DirEntry[str], pgid: int) -> bool:
    """Whether the /proc entry is a non-zombie process of group ``pgid``."""
    try:
        stat = Path(entry.path, "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    state, pgrp = parse_proc_stat(stat)
    return pgrp == pgid and state not in ("Z", "X")


def parse_proc_stat(stat: str) -> tuple[str, int]:
    """State letter and process group id from the text of ``/proc/<pid>/stat``.

    The command name is in parentheses and may itself contain spaces or
    parentheses, so fields are counted from the last ``)``.
    """
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[0], int(fields[2])


SHUTTING_DOWN = "aces is shutting down"


class ProcessRunner:
    """Starts, bounds and stops every subprocess of one ACES run.

    Thread-safe: checks may call ``run`` from parallel threads while another
    thread (or a signal handler) calls ``terminate_all``. Narrower runners (one
    per check, see ``aces.tools.deadline``) are ``adopt``ed, so ``terminate_all``
    reaches their processes too.
    """

    def __init__(
        self,
        *,
        base_env: Mapping[str, str] | None = None,
        grace_seconds: float = DEFAULT_GRACE_SECONDS,
    ) -> None:
        self._base_env = dict(base_env) if base_env is not None else minimal_env(os.environ)
        self._grace = grace_seconds
        # Re-entrant: terminate_all may run in a signal handler on the main
        # thread while that same thread is inside run() holding the lock.
        self._lock = threading.RLock()
        self._live: dict[int, subprocess.Popen[bytes]] = {}
        self._stopped: set[int] = set()
        self._closed = False
        self._closed_reason = SHUTTING_DOWN
        self._scopes: weakref.WeakSet[ProcessRunner] = weakref.WeakSet()

    @property
    def grace_seconds(self) -> float:
        """How long a stopped group gets between SIGTERM and SIGKILL."""
        return self._grace

    def remaining(self) -> float | None:
        """Seconds left before this runner's deadline; None when it has none."""
        return None

    def adopt(self, scope: ProcessRunner) -> None:
        """Make ``terminate_all`` of this runner also stop ``scope`` (closed at once if this is)."""
        with self._lock:
            closed = self._closed
            if not closed:
                self._scopes.add(scope)
        if closed:
            scope.terminate_all()

    @property
    def base_env(self) -> dict[str, str]:
        """A copy of the environment every child starts from."""
        return dict(self._base_env)

    @property
    def closed(self) -> bool:
        """True once ``terminate_all`` was called: no new process will start."""
        with self._lock:
            return self._closed

    def live_process_groups(self) -> tuple[int, ...]:
        """Process group ids of the commands running right now, sorted."""
        with self._lock:
            return tuple(sorted(self._live))

    def run(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: str | os.PathLike[str],
        timeout: float,
        env: Mapping[str, str] | None = None,
        max_output: int = DEFAULT_MAX_OUTPUT,
        input: bytes | str | None = None,
        install_hint: str | None = None,
    ) -> ProcessResult:
        """Run ``argv`` to completion and return what it did, whatever its exit code.

        ``env`` is added to the minimal base environment. Each of stdout and
        stderr keeps at most ``max_output`` bytes (``truncated`` says when more
        was printed). Raises ``ToolError`` when the program is missing (with
        ``install_hint``), and ``CommandError`` when it times out or is stopped
        by ``terminate_all``. Call ``check_ok`` on the result to require an exit code.
        """
        command = tuple(os.fspath(part) for part in argv)
        if not command:
            raise ValueError("empty command")
        child_env = {**self._base_env, **(env or {})}
        workdir = Path(cwd)
        if not workdir.is_dir():
            raise ToolError(f"working directory {workdir} does not exist", path=str(workdir))
        executable = _resolve(command[0], workdir, child_env.get("PATH", ""), install_hint)
        data = input.encode("utf-8") if isinstance(input, str) else input
        seconds, overrun = self._limit(timeout, command)
        proc: subprocess.Popen[bytes] | None = None
        try:
            proc = self._spawn(command, executable, workdir, child_env, data is not None)
            return self._communicate(proc, command, seconds, max_output, data, overrun)
        finally:
            if proc is not None:
                self._finish(proc)

    def terminate_all(self) -> None:
        """Stop every process group still running and refuse to start new ones.

        Sends SIGTERM to every group (those of adopted runners too), waits the
        grace period, then SIGKILLs what is left. The ``run`` calls waiting on
        those groups raise ``CommandError``.
        """
        self._close(SHUTTING_DOWN)

    def _limit(self, timeout: float, command: tuple[str, ...]) -> tuple[float, str]:
        """The timeout ``command`` really gets, and how to say it ran out."""
        del command
        return timeout, f"timed out after {timeout:g}s"

    def _close(self, reason: str) -> None:
        """Refuse new processes (saying ``reason``) and stop every live group, scopes included."""
        with self._lock:
            if not self._closed:
                self._closed, self._closed_reason = True, reason
            procs = list(self._live.values())
            self._stopped.update(p.pid for p in procs)
            scopes = list(self._scopes)
        for scope in scopes:
            scope.terminate_all()
        self._stop_groups(procs)

    def start(
        self,
        argv: Sequence[str | os.PathLike[str]],
        *,
        cwd: str | os.PathLike[str],
        log_path: str | os.PathLike[str],
        env: Mapping[str, str] | None = None,
        install_hint: str | None = None,
        user: str | None = None,
    ) -> StartedProcess:
        """Launch ``argv`` in its own process group and return at once.

        stdout and stderr are appended to ``log_path``; ``env`` is added to the
        base environment; ``user`` (root only) runs the process as that user and
        its primary group. The process runs until ``stop`` or ``terminate_all``.
        Raises ``ToolError`` when the program is missing (with ``install_hint``)
        or the runner is shutting down.
        """
        command = tuple(os.fspath(part) for part in argv)
        if not command:
            raise ValueError("empty command")
        child_env = {**self._base_env, **(env or {})}
        workdir = Path(cwd)
        if not workdir.is_dir():
            raise ToolError(f"working directory {workdir} does not exist", path=str(workdir))
        executable = _resolve(command[0], workdir, child_env.get("PATH", ""), install_hint)
        log = Path(log_path)
        with self._lock, log.open("ab") as out:
            if self._closed:
                raise CommandError(f"was not started: {self._closed_reason}", argv=command)
            try:
                proc = subprocess.Popen(
                    command,
                    executable=executable,
                    cwd=workdir,
                    env=child_env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    user=user,
                    group=_primary_group(user),
                    extra_groups=None if user is None else [],
                )
            except (OSError, KeyError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else f"unknown user {user!r}"
                raise ToolError(f"cannot start `{shlex.join(command)}`: {reason}") from exc
            self._live[proc.pid] = proc
        return StartedProcess(argv=command, pid=proc.pid, log_path=log, popen=proc)

    def stop(self, processes: Sequence[StartedProcess], grace: float | None = None) -> None:
        """Stop the groups of started processes together: SIGTERM, the grace period, SIGKILL.

        Already-exited processes are fine; every one is reaped and forgotten.
        """
        procs = [p.popen for p in processes]
        seconds = self._grace if grace is None else grace
        alive = [p for p in procs if _group_alive(p)]
        if alive:
            _signal_groups(alive, signal.SIGTERM)
            alive = _wait_until_dead(alive, seconds)
        if alive:
            _signal_groups(alive, signal.SIGKILL)
            _wait_until_dead(alive, _KILL_WAIT_SECONDS)
        with self._lock:
            for proc in procs:
                self._live.pop(proc.pid, None)
                self._stopped.discard(proc.pid)

    def _spawn(
        self,
        command: tuple[str, ...],
        executable: str,
        cwd: Path,
        env: dict[str, str],
        has_input: bool,
    ) -> subprocess.Popen[bytes]:
        """Start the child in a new session and register it, unless the runner is closed."""
        with self._lock:
            if self._closed:
                raise CommandError(f"was not started: {self._closed_reason}", argv=command)
            try:
                proc = subprocess.Popen(
                    command,
                    executable=executable,
                    cwd=cwd,
                    env=env,
                    stdin=subprocess.PIPE if has_input else subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    start_new_session=True,
                )
            except OSError as exc:
                raise ToolError(f"cannot start `{shlex.join(command)}`: {exc.strerror}") from exc
            self._live[proc.pid] = proc
            return proc

    def _communicate(
        self,
        proc: subprocess.Popen[bytes],
        command: tuple[str, ...],
        timeout: float,
        max_output: int,
        data: bytes | None,
        overrun: str,
    ) -> ProcessResult:
        """Drain output, wait with the timeout, stop the group, then build the result."""
        started = time.monotonic()
        assert proc.stdout is not None and proc.stderr is not None
        readers = (
            _StreamReader(proc.stdout, max_output, f"aces-stdout-{proc.pid}"),
            _StreamReader(proc.stderr, max_output, f"aces-stderr-{proc.pid}"),
        )
        for reader in readers:
            reader.start()
        if data is not None and proc.stdin is not None:
            writer = threading.Thread(target=_write_input, args=(proc.stdin, data), daemon=True)
            writer.start()
        timed_out = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Also ends descendants that outlived the child: they would hold the
        # pipes open (and the readers with them) and leak past the run.
        self._stop_groups([proc])
        for reader in readers:
            # A process that left the group (setsid) may still hold a pipe:
            # do not wait for it forever; its reader thread is a daemon.
            reader.join(self._grace)
        result = ProcessResult(
            argv=command,
            returncode=proc.returncode if proc.returncode is not None else -signal.SIGKILL,
            stdout=readers[0].text(),
            stderr=readers[1].text(),
            truncated=readers[0].truncated or readers[1].truncated,
            duration=time.monotonic() - started,
            raw_stdout=readers[0].raw(),
        )
        if timed_out:
            raise self._error(result, overrun)
        with self._lock:
            stopped = proc.pid in self._stopped
            reason = self._closed_reason
        if stopped:
            raise self._error(result, f"was stopped: {reason}")
        return result

    @staticmethod
    def _error(result: ProcessResult, message: str) -> CommandError:
        return CommandError(
            message,
            argv=result.argv,
            stdout=result.stdout,
            stderr=result.stderr,
            truncated=result.truncated,
        )

    def _finish(self, proc: subprocess.Popen[bytes]) -> None:
        """Make sure nothing of the group survives, then forget it."""
        self._stop_groups([proc])
        with self._lock:
            self._live.pop(proc.pid, None)
            self._stopped.discard(proc.pid)

    def _stop_groups(self, procs: Sequence[subprocess.Popen[bytes]]) -> None:
        """SIGTERM the live groups, wait the grace period, SIGKILL the survivors."""
        alive = [p for p in procs if _group_alive(p)]
        if not alive:
            return
        _signal_groups(alive, signal.SIGTERM)
        alive = _wait_until_dead(alive, self._grace)
        if alive:
            _signal_groups(alive, signal.SIGKILL)
            _wait_until_dead(alive, _KILL_WAIT_SECONDS)


def _primary_group(user: str | None) -> int | None:
    """The primary group id of ``user`` (``KeyError`` for an unknown user); None for no user."""
    if user is None:
        return None
    import pwd  # POSIX only; imported here so the module loads everywhere

    return pwd.getpwnam(user).pw_gid


def _resolve(name: str, cwd: Path, path: str, install_hint: str | None) -> str:
    """The executable to start, or ``ToolError`` naming the missing program and its install."""
    hint = install_hint or "install it or put it on PATH"
    if os.sep in name:
        candidate = Path(name) if Path(name).is_absolute() else cwd / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
        raise ToolError(f"`{name}` not found or not executable", hint=hint)
    found = shutil.which(name, path=path)
    if found is None:
        raise ToolError(f"`{name}` not found on PATH", hint=hint)
    return found


def _group_alive(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the group led by ``proc`` still has a running member (reaps the leader)."""
    proc.poll()
    return _group_has_live_members(proc.pid)


def _signal_groups(procs: Sequence[subprocess.Popen[bytes]], signum: signal.Signals) -> None:
    """Send ``signum`` to each process group; a group that is already gone is fine."""
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signum)


def _wait_until_dead(
    procs: Sequence[subprocess.Popen[bytes]], seconds: float
) -> list[subprocess.Popen[bytes]]:
    """Poll until every group is gone or ``seconds`` passed; returns those still alive."""
    deadline = time.monotonic() + seconds
    alive = [p for p in procs if _group_alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
        alive = [p for p in alive if _group_alive(p)]
    return alive
