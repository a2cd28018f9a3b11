"""The health task through a real worker, and the health command's messages."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from outreach_site.celery import ping
from outreach_site.health import check_broker, check_database


@pytest.mark.worker
def test_a_real_worker_answers_the_health_task(celery_worker):
    answer = ping.apply_async().get(timeout=30)

    assert answer["pong"] is True
    assert answer["database"] in {"sqlite", "postgresql"}


@pytest.mark.worker
def test_health_command_reports_all_three_parts(celery_worker, capsys):
    call_command("health", timeout=30)

    out = capsys.readouterr().out
    assert "OK   database" in out
    assert "OK   broker" in out
    assert "OK   worker" in out


@pytest.mark.django_db
def test_database_and_broker_checks_pass_here():
    assert check_database().ok
    assert check_broker().ok


@pytest.mark.django_db
def test_health_command_fails_clearly_without_a_worker(capsys):
    with pytest.raises(CommandError, match="worker"):
        call_command("health", timeout=1)

    assert "没有工作进程应答" in capsys.readouterr().out
