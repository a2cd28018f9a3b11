"""A real Celery worker process bound to the test database and the test broker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """A URL for the database pytest-django created, for processes started by tests."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgresql://{auth}{host}:{port}/{params['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    """Environment for a child process that shares the tests' database and broker."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="outreach_site.test_settings",
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        PYTHONPATH=str(REPO),
    )
    env.update(extra)
    return env


class WorkerProcess:
    """Start, stop, kill and restart ``celery worker`` in a child process."""

    def __init__(
        self,
        *,
        concurrency: int = 2,
        name: str = "test",
        log_path: Path | None = None,
        # As production runs it (README); "prefork" where a test needs forked children.
        pool: str = "threads",
    ):
        self.concurrency = concurrency
        self.pool = pool
        self.name = name
        self.log_path = log_path or (Path(settings.TEST_RUN_DIR) / f"worker-{name}.log")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "WorkerProcess":
        command = [
            sys.executable, "-m", "celery", "-A", "outreach_site", "worker",
            "--loglevel=INFO", f"--concurrency={self.concurrency}", f"--pool={self.pool}",
            f"--hostname={self.name}-{os.getpid()}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=child_environment(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Block until the worker answers the health task, or fail with its log."""
        from outreach_site.celery import ping

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_tail()}")
            try:
                ping.apply_async(expires=5).get(timeout=5)
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError(f"worker did not answer in {timeout} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the worker and every pool child, as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown: finish running tasks, then exit."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
