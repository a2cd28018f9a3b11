"""Supervision of the embedded run: web server, worker and beat, restarted when one dies.

``manage.py run_embedded`` (what ``scripts/start`` runs) starts the three programs and
watches them. A program that exits is started again after a back-off that doubles from
one second up to a minute, and resets once the program has stayed up for a minute; each
exit and restart is logged. The others go on meanwhile, so a crashed worker never takes
the web server down with it.

Each program runs in a process group of its own, so a Ctrl-C in the terminal reaches the
supervisor alone, which then stops every group in order: SIGTERM (a warm shutdown for
the worker, a graceful one for gunicorn), SIGKILL for whatever is left after the stop
timeout, and a second Ctrl-C kills at once. On Linux the children also receive SIGTERM
should the supervisor itself be killed, so nothing is left running behind it.

The supervisor records the state of its programs (pid, start, restarts, last exit) in a
small JSON file that ``manage.py health`` and the admin dashboard read; it is removed when
the supervisor stops.
"""

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
# A program that stayed up this long before dying starts again after the first back-off.
STABLE_AFTER = 60.0
POLL_SECONDS = 0.2


@dataclass
class Program:
    """A command to keep running, and the file its output goes to."""

    name: str
    argv: list[str]
    log: Path


@dataclass
class Child:
    """A program's process and its history under this supervisor."""

    program: Program
    process: subprocess.Popen | None = None
    started_at: datetime | None = None
    started: float = 0.0  # monotonic, for uptime
    restarts: int = 0
    last_exit: dict | None = None
    backoff: float = BACKOFF_FIRST
    restart_due: float | None = None  # monotonic
    restart_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def state(self) -> str:
        if self.running:
            return "running"
        return "restarting" if self.restart_due is not None else "stopped"

    def as_json(self) -> dict:
        return {
            "name": self.program.name,
            "state": self.state(),
            "pid": self.process.pid if self.running else None,
            "started_at": _iso(self.started_at) if self.running else None,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "restart_at": _iso(self.restart_at) if self.restart_due is not None else None,
            "log": str(self.program.log),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def describe_exit(returncode: int) -> dict:
    """An exit status as the status file records it: code or signal, in words too."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return {"code": None, "signal": name, "text": f"killed by {name}"}
    return {"code": returncode, "signal": None, "text": f"exited with code {returncode}"}


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the supervisor dies (Linux)."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


class Supervisor:
    """Start programs, restart those that die, stop them all on request."""

    def __init__(
        self,
        programs: list[Program],
        *,
        status_file: Path,
        stop_timeout: float = 30.0,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ):
        self.children = [Child(program) for program in programs]
        self.status_file = status_file
        self.stop_timeout = stop_timeout
        self.env = env
        self.cwd = cwd
        self.started_at = datetime.now(UTC)
        self._stop_requests = 0

    # --- running ------------------------------------------------------------------------------

    def run(
        self,
        *,
        ready_check: Callable[[], bool] | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        """Supervise until SIGINT, SIGTERM or SIGHUP, then stop everything.

        ``ready_check`` is called every few seconds until it returns true, then
        ``on_ready`` once; a check must be quick, as it delays noticing a dead program.
        """
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, self._request_stop)
        try:
            self.start()
            next_check = time.monotonic() + 1.0
            ready = ready_check is None
            while not self._stop_requests:
                self.poll()
                if not ready and time.monotonic() >= next_check and not self._stop_requests:
                    ready = ready_check()
                    next_check = time.monotonic() + 2.0
                    if ready and on_ready is not None:
                        on_ready()
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()

    def start(self) -> None:
        """Start every program and record them in the status file."""
        for child in self.children:
            self._start(child)
        self._write_status()

    def _request_stop(self, number, frame) -> None:
        self._stop_requests += 1

    def poll(self) -> None:
        """Notice programs that exited, and start those whose back-off has passed."""
        changed = False
        now = time.monotonic()
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                self._on_exit(child, now)
                changed = True
            elif child.restart_due is not None and now >= child.restart_due:
                child.restarts += 1
                logger.warning(
                    "Restarting %s (restart %d); its output goes to %s.",
                    child.program.name,
                    child.restarts,
                    child.program.log,
                )
                self._start(child)
                changed = True
        if changed:
            self._write_status()

    def _start(self, child: Child) -> None:
        child.program.log.parent.mkdir(parents=True, exist_ok=True)
        with child.program.log.open("ab") as log:
            child.process = subprocess.Popen(
                child.program.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                # Its own group: Ctrl-C reaches the supervisor only, and a stop or a
                # restart can take the program's own children (gunicorn's) with it.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        child.started_at = datetime.now(UTC)
        child.started = time.monotonic()
        child.restart_due = child.restart_at = None
        logger.info("Started %s (pid %d).", child.program.name, child.process.pid)

    def _on_exit(self, child: Child, now: float) -> None:
        returncode = child.process.returncode
        # Whatever the program left behind in its group goes with it.
        _signal_group(child.process.pid, signal.SIGKILL)
        uptime = now - child.started
        child.last_exit = {**describe_exit(returncode), "at": _iso(datetime.now(UTC))}
        child.process = None
        if uptime >= STABLE_AFTER:
            child.backoff = BACKOFF_FIRST
        delay = child.backoff
        child.backoff = min(child.backoff * 2, BACKOFF_MAX)
        child.restart_due = now + delay
        child.restart_at = datetime.fromtimestamp(time.time() + delay, UTC)
        logger.error(
            "%s %s after %.0f s; restarting it in %g s. See %s.",
            child.program.name,
            child.last_exit["text"],
            uptime,
            delay,
            child.program.log,
        )

    # --- stopping -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop every program: SIGTERM, then SIGKILL after the stop timeout (or at once on
        a second stop request)."""
        for child in self.children:
            child.restart_due = None
        running = [child for child in self.children if child.running]
        if running:
            logger.info("Stopping %s.", ", ".join(child.program.name for child in running))
        for child in running:
            _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        first_requests = self._stop_requests
        while any(child.running for child in running):
            if time.monotonic() >= deadline or self._stop_requests > max(first_requests, 1):
                break
            time.sleep(0.1)
        for child in running:
            if child.running:
                logger.warning("%s did not stop in time; killing it.", child.program.name)
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()
            child.last_exit = {
                **describe_exit(child.process.returncode),
                "at": _iso(datetime.now(UTC)),
            }
            child.process = None
        self.status_file.unlink(missing_ok=True)
        logger.info("All stopped.")

    # --- status file ----------------------------------------------------------------------------

    def status(self) -> dict:
        return {
            "supervisor": {"pid": os.getpid(), "started_at": _iso(self.started_at)},
            "updated_at": _iso(datetime.now(UTC)),
            "processes": [child.as_json() for child in self.children],
        }

    def _write_status(self) -> None:
        """Replace the status file in one step, so readers never see half of it."""
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.status_file.with_name(f".{self.status_file.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.status(), ensure_ascii=False, indent=1))
        os.replace(temporary, self.status_file)


def _signal_group(pid: int, number: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, number)


def embedded_programs(*, bind: str, concurrency: int, log_dir: Path) -> list[Program]:
    """Web, worker and beat as the embedded run starts them (production runs them the same
    way, each under its own service manager)."""
    python = sys.executable
    return [
        Program(
            "web",
            [
                python, "-m", "gunicorn", "-c", "python:outreach_site.gunicorn_conf",
                "outreach_site.wsgi", "--bind", bind,
                "--workers", "2", "--threads", "4",
                "--access-logfile", str(log_dir / "access.log"),
                "--error-logfile", str(log_dir / "web.log"),
            ],
            log_dir / "web.log",
        ),
        Program(
            "worker",
            [
                python, "-m", "celery", "-A", "outreach_site", "worker", "--pool", "threads",
                f"--concurrency={concurrency}", "--loglevel=INFO",
            ],
            log_dir / "worker.log",
        ),
        Program(
            "beat",
            [python, "-m", "celery", "-A", "outreach_site", "beat", "--loglevel=INFO"],
            log_dir / "beat.log",
        ),
    ]  # fmt: skip
