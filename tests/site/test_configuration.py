"""Bad configuration meets a clear message; the production profile passes ``check --deploy``."""

import subprocess
import sys

import pytest

from tests.support.worker import REPO

UNUSED_PORT = 9  # the discard port: nothing listens on 127.0.0.1 here


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    import os

    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "OUTREACH_PROFILE",
            "SECRET_KEY",
            # Browser tests set it for Playwright; it would fail the deployment check.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(DJANGO_SETTINGS_MODULE="outreach_site.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_unreachable_database_is_named_without_its_password():
    url = f"postgresql://editor:s3cret@127.0.0.1:{UNUSED_PORT}/outreach"

    result = manage("health", "--no-worker", DATABASE_URL=url)

    assert result.returncode != 0
    assert "数据库无法连接" in result.stdout + result.stderr
    assert "editor:***@127.0.0.1:9/outreach" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr


def test_migrate_against_an_unreachable_database_fails_in_one_clear_line():
    result = manage("migrate", DATABASE_URL=f"postgresql://postgres@127.0.0.1:{UNUSED_PORT}/x")

    assert result.returncode == 2
    assert result.stderr.startswith("数据库无法连接 (database unreachable)")
    assert "Traceback" not in result.stderr


def test_malformed_database_url_is_a_configuration_error():
    result = manage("check", DATABASE_URL="mysqlx://nowhere")

    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_broker_that_does_not_answer_is_reported():
    result = manage("health", "--no-worker", CELERY_BROKER_URL=f"redis://127.0.0.1:{UNUSED_PORT}/0")

    assert result.returncode != 0
    assert "消息队列无法连接" in result.stdout
    assert "redis://127.0.0.1:9/0" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", OUTREACH_PROFILE="production", ALLOWED_HOSTS="sy.example.gov.cn")

    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = manage("check", OUTREACH_PROFILE="production", SECRET_KEY="x" * 60)

    assert result.returncode == 2
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_unknown_profile_is_refused():
    result = manage("check", OUTREACH_PROFILE="staging")

    assert result.returncode == 2
    assert "OUTREACH_PROFILE='staging' is unknown" in result.stderr


def test_bad_boolean_is_refused_not_read_as_false():
    result = manage("check", DEBUG="maybe")

    assert result.returncode == 2
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


def test_production_profile_passes_check_deploy():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        OUTREACH_PROFILE="production",
        SECRET_KEY="k" + "x9Yq-2Lm_pR8vT4wZ6bN1cF3hJ5kD7gS0aE" * 2,
        ALLOWED_HOSTS="sy.example.gov.cn",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("profile", ["embedded", "production"])
def test_time_zone_and_language_defaults(profile):
    env = {"OUTREACH_PROFILE": profile}
    if profile == "production":
        env.update(SECRET_KEY="s" * 60, ALLOWED_HOSTS="example.org")
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE, settings.LANGUAGE_CODE)",
        **env,
    )

    assert result.stdout.strip().splitlines()[-1] == "Asia/Shanghai zh-hans"


def test_commands_beside_the_embedded_run_take_its_address(tmp_path):
    (tmp_path / "base_url").write_text("http://127.0.0.1:8800\n")
    show = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"

    served = manage("shell", "-c", show, OUTREACH_VAR_DIR=str(tmp_path))
    chosen = manage("shell", "-c", show, OUTREACH_VAR_DIR=str(tmp_path), BASE_URL="http://a:1")

    assert served.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8800"
    assert chosen.stdout.strip().splitlines()[-1] == "http://a:1"


def test_review_mail_goes_to_files_without_a_mail_server_and_to_smtp_with_one(tmp_path):
    show = (
        "from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, getattr(settings, 'EMAIL_HOST', ''), settings.EMAIL_PORT)"
    )

    embedded = manage("shell", "-c", show, OUTREACH_VAR_DIR=str(tmp_path))
    smtp = manage("shell", "-c", show, EMAIL_HOST="smtp.example.gov.cn")

    assert (
        embedded.stdout.strip()
        .splitlines()[-1]
        .startswith("django.core.mail.backends.filebased.EmailBackend")
    )
    assert smtp.stdout.strip().splitlines()[-1] == (
        "django.core.mail.backends.smtp.EmailBackend smtp.example.gov.cn 465"
    )
