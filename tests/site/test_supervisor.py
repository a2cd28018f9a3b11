"""The embedded run's supervisor: a program that dies comes back, the web server keeps
serving meanwhile, ``manage.py health`` shows the restart, and Ctrl-C leaves nothing running."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Site

from outreach_site.supervisor import Program, Supervisor, embedded_programs
from tests.support.worker import REPO, child_environment

pytestmark = pytest.mark.embedded

# A program with a child of its own (as gunicorn has), both recorded in a file.
PARENT_AND_CHILD = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(sys.argv[1], "a") as pids:
    pids.write(f"{__import__('os').getpid()} {child.pid}\\n")
time.sleep(600)
"""


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie waiting to be reaped counts as ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


def wait_for(condition, timeout: float, what: str):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} after {timeout:g} s")


def recorded_pids(path: Path) -> list[tuple[int, int]]:
    if not path.exists():
        return []
    return [tuple(map(int, line.split())) for line in path.read_text().splitlines()]


def test_a_program_that_dies_is_restarted_and_its_leftover_children_go_with_it(tmp_path):
    pids_file = tmp_path / "pids.txt"
    program = Program(
        "sleeper", [sys.executable, "-c", PARENT_AND_CHILD, str(pids_file)], tmp_path / "s.log"
    )
    supervisor = Supervisor([program], status_file=tmp_path / "status.json", stop_timeout=10)
    supervisor.start()
    try:
        (first, first_child), *_ = wait_for(lambda: recorded_pids(pids_file), 60, "the program")

        os.kill(first, signal.SIGKILL)
        wait_for(lambda: supervisor.poll() or len(recorded_pids(pids_file)) == 2, 60, "restart")
        (second, second_child) = recorded_pids(pids_file)[1]
        supervisor.poll()
        status = json.loads((tmp_path / "status.json").read_text())["processes"][0]

        assert gone(first_child)
        assert second != first and not gone(second)
        assert (status["state"], status["pid"], status["restarts"]) == ("running", second, 1)
        assert (status["last_exit"]["signal"], status["last_exit"]["code"]) == ("SIGKILL", None)
    finally:
        supervisor.stop()

    assert gone(second) and gone(second_child)
    assert not (tmp_path / "status.json").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_using(var_dir: Path) -> list[int]:
    """Live processes started with ``OUTREACH_VAR_DIR=var_dir`` in their environment."""
    marker = f"OUTREACH_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0") and not gone(
                int(entry.name)
            ):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class Visitor(threading.Thread):
    """Requests a page again and again, recording every answer or error."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url = url
        self.answers: list = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=30) as response:
                    self.answers.append(response.status)
            except (urllib.error.URLError, OSError) as error:
                self.answers.append(repr(error))
            time.sleep(0.1)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds leftover processes through /proc")
def test_a_killed_worker_comes_back_while_the_site_serves_and_ctrl_c_stops_everything(
    transactional_db, tmp_path
):
    var_dir = tmp_path / "var"
    port = free_port()
    env = child_environment(
        OUTREACH_VAR_DIR=str(var_dir),
        OUTREACH_TEST_RUN=f"{settings.TEST_RUN}-supervised",
        BASE_URL=f"http://127.0.0.1:{port}",
    )
    # The site answers where it is served, as the demo loader leaves it under scripts/start.
    Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=port)
    status_file = var_dir / f"test-{settings.TEST_RUN}-supervised" / "embedded.json"
    output = (tmp_path / "supervisor.out").open("wb")
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", "--bind", f"127.0.0.1:{port}",
         "--concurrency", "2", "--ready-message", "READY"],
        cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    visitor = Visitor(f"http://127.0.0.1:{port}/admin/login/")
    try:
        wait_for(lambda: b"READY" in (tmp_path / "supervisor.out").read_bytes(), 300, "READY")
        before = {row["name"]: row for row in json.loads(status_file.read_text())["processes"]}
        visitor.start()
        wait_for(lambda: visitor.answers, 60, "a first answer")

        os.kill(before["worker"]["pid"], signal.SIGKILL)

        def worker_back():
            rows = json.loads(status_file.read_text())["processes"]
            worker = next(row for row in rows if row["name"] == "worker")
            return worker if worker["restarts"] == 1 and worker["state"] == "running" else None

        worker = wait_for(worker_back, 120, "the worker to be restarted")
        health = subprocess.run(
            [sys.executable, "manage.py", "health", "--timeout", "60"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        visitor.stopping.set()
        visitor.join(timeout=60)

        assert worker["pid"] != before["worker"]["pid"]
        assert worker["last_exit"]["signal"] == "SIGKILL"
        assert health.returncode == 0, health.stdout + health.stderr
        assert "OK   worker " in health.stdout
        assert f"OK   process:worker 运行中，pid {worker['pid']}，" in health.stdout
        assert "；已重启 1 次；上次退出：被信号 SIGKILL 终止（" in health.stdout
        assert f"OK   process:web    运行中，pid {before['web']['pid']}，" in health.stdout
        assert set(visitor.answers) == {200}
    finally:
        visitor.stopping.set()
        supervisor.send_signal(signal.SIGINT)
        try:
            supervisor.wait(timeout=120)
        finally:
            if supervisor.poll() is None:
                os.killpg(supervisor.pid, signal.SIGKILL)
        output.close()

    log = (tmp_path / "supervisor.out").read_text()
    assert supervisor.returncode == 0, log
    assert "worker killed by SIGKILL after" in log and "Restarting worker (restart 1)" in log
    assert processes_using(var_dir) == []
    assert not status_file.exists()


def test_the_embedded_web_server_masks_screen_tokens_in_its_logs(tmp_path):
    (web, *_others) = embedded_programs(bind="127.0.0.1:8000", concurrency=4, log_dir=tmp_path)

    assert web.name == "web"
    config = web.argv.index("-c")
    assert web.argv[config + 1] == "python:outreach_site.gunicorn_conf"
