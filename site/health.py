"""Health checks for the three parts the system needs: database, broker and a worker."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError

from .env import redact_url


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, with a message a person can act on."""

    name: str
    ok: bool
    detail: str


def describe_database() -> str:
    """Say which database the settings point at, without its password."""
    return redact_url(settings.DATABASE_URL)


def check_database() -> CheckResult:
    """Run ``SELECT 1`` on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return CheckResult(
            "database",
            False,
            f"数据库无法连接: {describe_database()} — {first_line}. "
            "Check DATABASE_URL and that the server is running.",
        )
    return CheckResult("database", True, f"{connection.vendor}: {describe_database()}")


def check_broker(timeout: float = 5.0) -> CheckResult:
    """Open a connection to the Celery broker."""
    from .celery import app

    url = redact_url(settings.CELERY_BROKER_URL)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as error:  # kombu raises many transport-specific errors
        return CheckResult(
            "broker",
            False,
            f"消息队列无法连接: {url} — {error}. Check CELERY_BROKER_URL and that the broker runs.",
        )
    return CheckResult("broker", True, url)


def check_worker(timeout: float = 10.0) -> CheckResult:
    """Send the health task and wait for a worker to answer it."""
    from celery.exceptions import TimeoutError as CeleryTimeout

    from .celery import ping

    try:
        answer = ping.apply_async(expires=timeout).get(timeout=timeout)
    except CeleryTimeout:
        return CheckResult(
            "worker",
            False,
            f"没有工作进程应答 (no worker answered within {timeout:g} s). Start one with: "
            "celery -A outreach_site worker",
        )
    except Exception as error:
        return CheckResult("worker", False, f"工作进程检查失败: {error}")
    return CheckResult("worker", True, f"answered from {answer['host']} ({answer['database']})")


def run_checks(*, worker_timeout: float = 10.0, include_worker: bool = True) -> list[CheckResult]:
    """Run the checks in dependency order; a worker is not asked when the broker is down."""
    results = [check_database(), check_broker()]
    if include_worker:
        if results[1].ok:
            results.append(check_worker(worker_timeout))
        else:
            results.append(CheckResult("worker", False, "skipped: the broker is unreachable"))
    return results
