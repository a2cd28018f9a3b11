"""The web server as the embedded run and production start it: gunicorn on 127.0.0.1 with the
project's gunicorn settings, bound to the test database, logging to files."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings

from tests.support.worker import REPO, child_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornProcess:
    """``gunicorn -c python:outreach_site.gunicorn_conf outreach_site.wsgi`` in a child process."""

    def __init__(self, *, name: str = "web", extra_args: list[str] | None = None, **env: str):
        folder = Path(settings.TEST_RUN_DIR) / f"gunicorn-{name}-{os.getpid()}"
        folder.mkdir(parents=True, exist_ok=True)
        self.access_log = folder / "access.log"
        self.error_log = folder / "web.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.extra_args = extra_args or []
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> "GunicornProcess":
        command = [
            sys.executable, "-m", "gunicorn", "-c", "python:outreach_site.gunicorn_conf",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "2",
            "--access-logfile", str(self.access_log), "--error-logfile", str(self.error_log),
            *self.extra_args, "outreach_site.wsgi",
        ]  # fmt: skip
        with self.error_log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=REPO, env=child_environment(**self.env), stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.error_log.read_text()}")
            try:
                httpx.get(f"{self.base_url}/admin/login/", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.error_log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def access_lines(self, count: int, containing: str, timeout: float = 10.0) -> list[str]:
        """The access log's lines with ``containing``, once there are ``count``: a line is
        written just after its response has gone out, so it may lag the client a moment."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [
                line
                for line in self.access_log.read_text(errors="replace").splitlines()
                if containing in line
            ]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def error_output(self) -> str:
        return self.error_log.read_text(errors="replace")
