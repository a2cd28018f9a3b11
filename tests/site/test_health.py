"""The health task through a real worker, and the health command's messages."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Site

from outreach_site.celery import ping
from outreach_site.health import check_broker, check_database, check_public_address
from publicity.services import site_set_public_address


@pytest.mark.worker
def test_a_real_worker_answers_the_health_task(celery_worker):
    answer = ping.apply_async().get(timeout=30)

    assert answer["pong"] is True
    assert answer["database"] in {"sqlite", "postgresql"}


@pytest.mark.worker
def test_health_command_reports_all_three_parts(celery_worker, capsys, settings):
    site = Site.objects.get(is_default_site=True)
    site_set_public_address(site=site, base_url=settings.WAGTAILADMIN_BASE_URL)

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


@pytest.mark.django_db
def test_a_site_address_other_than_base_url_is_reported_with_the_fix(settings):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "localhost", 80
    site.save()

    result = check_public_address()

    assert not result.ok
    assert result.detail.startswith(
        "站点地址 http://localhost 与 BASE_URL http://127.0.0.1:8000 不一致"
    )
    assert "设置 → 站点" in result.detail

    site_set_public_address(site=site, base_url="http://127.0.0.1:8000/")
    fixed = check_public_address()
    assert (fixed.ok, fixed.detail) == (True, "http://127.0.0.1:8000")
