"""The dashboard's processes panel and the health command's process lines: what the embedded
run's supervisor recorded, or in production which workers answer; shown to those who
schedule placements, not to a user with admin access alone."""

import json
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from wagtail.models import Site

from outreach_site.health import WORKER_PRESENCE_CACHE_KEY, CheckResult, supervised_processes
from tests.support.roles import user_in_role

STATUS = {
    "supervisor": {"pid": None, "started_at": "2026-11-29T16:00:00+00:00"},
    "updated_at": "2026-11-29T16:04:09+00:00",
    "processes": [
        {
            "name": "web",
            "state": "running",
            "pid": 4711,
            "started_at": "2026-11-29T16:00:01+00:00",
            "restarts": 0,
            "last_exit": None,
            "restart_at": None,
        },
        {
            "name": "worker",
            "state": "restarting",
            "pid": None,
            "started_at": None,
            "restarts": 2,
            "last_exit": {
                "code": None,
                "signal": "SIGKILL",
                "text": "killed by SIGKILL",
                "at": "2026-11-29T16:04:09+00:00",
            },
            "restart_at": "2026-11-29T16:04:13+00:00",
        },
        {
            "name": "beat",
            "state": "running",
            "pid": 4713,
            "started_at": "2026-11-29T16:00:01+00:00",
            "restarts": 0,
            "last_exit": None,
            "restart_at": None,
        },
    ],
}


@pytest.fixture
def status_file():
    """A status file as a live supervisor (this process stands in for it) writes it."""
    path = settings.EMBEDDED_STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({**STATUS, "supervisor": {**STATUS["supervisor"], "pid": os.getpid()}})
    )
    yield path
    path.unlink(missing_ok=True)


@pytest.fixture
def no_cached_presence():
    cache.delete(WORKER_PRESENCE_CACHE_KEY)
    yield
    cache.delete(WORKER_PRESENCE_CACHE_KEY)


def test_health_command_fails_on_a_process_waiting_to_restart(status_file, capsys, db):
    Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=8000)

    with pytest.raises(CommandError, match="unhealthy: process:worker"):
        call_command("health", no_worker=True)

    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "process:" in line] == [
        "OK   process:web    运行中，pid 4711，启动于 2026-11-30 00:00:01",
        "FAIL process:worker 已退出，将于 2026-11-30 00:04:13 重启；已重启 2 次；"
        "上次退出：被信号 SIGKILL 终止（2026-11-30 00:04:09）",
        "OK   process:beat   运行中，pid 4713，启动于 2026-11-30 00:00:01",
    ]


def test_a_status_file_left_by_a_killed_supervisor_is_ignored(status_file):
    stale = json.loads(status_file.read_text())
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)
    stale["supervisor"]["pid"] = dead
    status_file.write_text(json.dumps(stale))

    assert supervised_processes() is None


def test_a_damaged_status_file_is_ignored(status_file):
    status_file.write_text('{"supervisor": ')

    assert supervised_processes() is None


@pytest.mark.django_db
def test_the_scheduler_sees_which_process_is_down_on_the_dashboard(client, status_file):
    client.force_login(user_in_role("排期员"))

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "后台进程" in html
    assert 'data-all-ok="false"' in html
    assert "有进程已退出，正在自动重启；在它恢复之前，排期不会发送。" in html
    assert '<tr data-process="worker" data-state="restarting">' in html
    assert "<td>工作进程</td>" in html
    assert "已退出，等待重启（00:04:13 重启）" in html
    assert "<td>被信号 SIGKILL 终止（2026-11-30 00:04:09）</td>" in html
    assert "<td data-restarts>2</td>" in html


@pytest.mark.django_db
def test_a_user_with_admin_access_alone_does_not_see_the_panel(client, status_file):
    client.force_login(user_in_role("仅后台访问"))

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    assert "后台进程" not in response.content.decode()


@pytest.mark.django_db
def test_without_a_supervisor_the_panel_says_no_worker_answers(client, no_cached_presence):
    client.force_login(user_in_role("排期员"))

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert 'data-worker-ok="false"' in html
    assert "1 秒内没有工作进程应答，排期不会发送。" in html
    assert cache.get(WORKER_PRESENCE_CACHE_KEY) == CheckResult(
        "worker", False, "1 秒内没有工作进程应答，排期不会发送。"
    )


@pytest.mark.django_db
def test_the_panel_uses_the_cached_answer_instead_of_asking_again(client, no_cached_presence):
    cache.set(WORKER_PRESENCE_CACHE_KEY, CheckResult("worker", True, "1 个工作进程在线：w1@host"))
    client.force_login(user_in_role("排期员"))

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert 'data-worker-ok="true"' in html
    assert "1 个工作进程在线：w1@host" in html


@pytest.mark.worker
def test_without_a_supervisor_the_panel_names_the_worker_that_answers(
    client, celery_worker, no_cached_presence
):
    client.force_login(user_in_role("排期员"))

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert 'data-worker-ok="true"' in html
    assert "个工作进程在线：" in html
    assert f"{celery_worker.name}-{os.getpid()}@" in html
