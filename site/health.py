"""Health checks for the three parts the system needs: database, broker and a worker; and,
in the embedded run, the state of the processes its supervisor keeps running."""

import json
import os
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.utils import DatabaseError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .env import redact_url

WORKER_PRESENCE_CACHE_KEY = "outreach_site:worker-presence"
PROCESS_LABELS = {
    "web": gettext_lazy("网站服务"),
    "worker": gettext_lazy("工作进程"),
    "beat": gettext_lazy("定时触发"),
}
STATE_LABELS = {
    "running": gettext_lazy("运行中"),
    "restarting": gettext_lazy("已退出，等待重启"),
    "stopped": gettext_lazy("已停止"),
}


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


def check_public_address() -> CheckResult:
    """Compare the default Wagtail site's address with ``BASE_URL``: feeds, the sitemap,
    WeChat's 阅读原文 and delivery receipts are built on the site's address."""
    from wagtail.models import Site

    base_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    try:
        site = Site.objects.filter(is_default_site=True).first()
    except DatabaseError as error:
        return CheckResult(
            "address",
            False,
            f"无法读取站点 (cannot read the site): {error}. Run manage.py migrate.",
        )
    if site is None:
        return CheckResult(
            "address", False, "没有默认站点 (no default site): 在后台“设置 → 站点”中添加。"
        )
    if site.root_url != base_url:
        return CheckResult(
            "address",
            False,
            f"站点地址 {site.root_url} 与 BASE_URL {base_url} 不一致：订阅、网站地图和公众号"
            f"“阅读原文”的链接将指向 {site.root_url}。在后台“设置 → 站点”中改正主机名和端口，"
            "或改正 BASE_URL。",
        )
    return CheckResult("address", True, base_url)


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


def worker_presence(*, timeout: float = 1.0, cache_seconds: int = 60) -> CheckResult:
    """Which workers answer a broadcast ping, remembered for ``cache_seconds``.

    For the admin dashboard where no supervisor records the processes (production). A
    broadcast is answered by each worker's consumer even while every pool thread is busy
    with deliveries, where a ping task would wait behind them; the short timeout and the
    cache keep the dashboard quick.
    """
    result = cache.get(WORKER_PRESENCE_CACHE_KEY)
    if result is not None:
        return result
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            replies = app.control.ping(timeout=timeout, connection=conn)
    except Exception as error:  # kombu raises many transport-specific errors
        result = CheckResult("worker", False, _("无法连接消息队列：%(error)s") % {"error": error})
    else:
        names = sorted(name for reply in replies for name in reply)
        if names:
            detail = _("%(count)d 个工作进程在线：%(names)s") % {
                "count": len(names),
                "names": "、".join(names),
            }
            result = CheckResult("worker", True, detail)
        else:
            detail = _("%(timeout)s 秒内没有工作进程应答，排期不会发送。") % {
                "timeout": f"{timeout:g}"
            }
            result = CheckResult("worker", False, detail)
    cache.set(WORKER_PRESENCE_CACHE_KEY, result, cache_seconds)
    return result


@dataclass(frozen=True)
class SupervisedProcess:
    """One program of the embedded run, as its supervisor last recorded it."""

    name: str
    state: str
    pid: int | None
    started_at: datetime | None
    restarts: int
    last_exit: dict | None
    restart_at: datetime | None

    @property
    def ok(self) -> bool:
        return self.state == "running"

    @property
    def label(self) -> str:
        return str(PROCESS_LABELS.get(self.name, self.name))

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(self.state, self.state))

    @property
    def last_exit_text(self) -> str:
        """How the program last ended, in words, or an empty string."""
        if not self.last_exit:
            return ""
        if self.last_exit.get("signal"):
            how = _("被信号 %(signal)s 终止") % {"signal": self.last_exit["signal"]}
        else:
            how = _("退出码 %(code)s") % {"code": self.last_exit.get("code")}
        at = _parse_time(self.last_exit.get("at"))
        return f"{how}（{_local(at)}）" if at else how

    def describe(self) -> str:
        """A line for ``manage.py health``: state, pid, since when, restarts, last exit."""
        if self.state == "running":
            text = _("运行中，pid %(pid)s，启动于 %(since)s") % {
                "pid": self.pid,
                "since": _local(self.started_at),
            }
        elif self.state == "restarting":
            text = _("已退出，将于 %(when)s 重启") % {"when": _local(self.restart_at)}
        else:
            text = str(self.state_label)
        if self.restarts:
            text += _("；已重启 %(count)d 次") % {"count": self.restarts}
        if self.last_exit:
            text += _("；上次退出：%(how)s") % {"how": self.last_exit_text}
        return text


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def supervised_processes() -> list[SupervisedProcess] | None:
    """The embedded run's programs from its supervisor's status file, or ``None`` when no
    supervisor runs here (production, or a file left by one that was killed)."""
    try:
        status = json.loads(settings.EMBEDDED_STATUS_FILE.read_text())
        supervisor_pid = int(status["supervisor"]["pid"])
        rows = status["processes"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(supervisor_pid):
        return None
    return [
        SupervisedProcess(
            name=row["name"],
            state=row["state"],
            pid=row.get("pid"),
            started_at=_parse_time(row.get("started_at")),
            restarts=row.get("restarts", 0),
            last_exit=row.get("last_exit"),
            restart_at=_parse_time(row.get("restart_at")),
        )
        for row in rows
    ]


def check_supervised() -> list[CheckResult]:
    """One result per program of the embedded run; none where no supervisor runs."""
    return [
        CheckResult(f"process:{process.name}", process.ok, process.describe())
        for process in supervised_processes() or []
    ]


def run_checks(
    *, worker_timeout: float = 10.0, include_worker: bool = True, include_address: bool = True
) -> list[CheckResult]:
    """Run the checks in dependency order; a worker is not asked when the broker is down."""
    results = [check_database()]
    if include_address and results[0].ok:
        results.append(check_public_address())
    results.append(check_broker())
    if include_worker:
        if results[-1].ok:
            results.append(check_worker(worker_timeout))
        else:
            results.append(CheckResult("worker", False, "skipped: the broker is unreachable"))
    return results + check_supervised()
