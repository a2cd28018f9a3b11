"""Placements (排期) and the append-only delivery log (播发台账)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .outlets import Outlet

# A placement counts as late once it is this far past its due time and not yet delivered.
LATE_AFTER = datetime.timedelta(minutes=1)


class PlacementQuerySet(models.QuerySet):
    """Named reads of the schedule; the dispatcher and the dashboard use the same ones."""

    def open(self):
        """Placements that may still go out."""
        return self.exclude(status__in=Placement.FINAL_STATUSES)

    def ready(self, now: datetime.datetime):
        """Placements whose next step may be taken now (no backoff or recheck pending)."""
        return self.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))

    def due(self, now: datetime.datetime):
        """Planned or approved placements whose time has come and which are not backing off."""
        return self.filter(
            status__in=[Placement.Status.PLANNED, Placement.Status.APPROVED], due_at__lte=now
        ).ready(now)

    def late(self, now: datetime.datetime):
        """Open placements more than a minute past their due time; one handed over waits for
        its outlet by a deadline of its own (``overdue_for_confirmation``)."""
        return (
            self.open()
            .exclude(status=Placement.Status.AWAITING)
            .filter(due_at__lt=now - LATE_AFTER)
        )

    def failed(self):
        return self.filter(status=Placement.Status.FAILED)

    def unconfirmed(self):
        return self.filter(status=Placement.Status.UNCONFIRMED)

    def awaiting(self):
        """Handed over (or due, on a manual outlet) and waiting for confirmation."""
        return self.filter(status=Placement.Status.AWAITING)

    def overdue_for_confirmation(self, now: datetime.datetime):
        """Awaiting placements whose outlet's confirmation deadline has passed."""
        return self.awaiting().filter(confirm_by__lt=now)

    def backlog(self, now: datetime.datetime):
        """Approved placements that are due but not yet handed to a worker or still queued.

        While the broker is down this is where due placements wait; it drains when it is back.
        """
        return self.filter(
            status__in=[Placement.Status.APPROVED, Placement.Status.QUEUED], due_at__lte=now
        )

    def awaiting_approval(self, now: datetime.datetime):
        """Due placements held back because their content has not passed review."""
        return self.filter(status=Placement.Status.PLANNED, due_at__lte=now)

    def lease_expired(self, now: datetime.datetime):
        return self.filter(lease_expires_at__isnull=False, lease_expires_at__lt=now)


class Placement(models.Model):
    """One version of one item on one outlet at a due time.

    The row is the source of truth for what is due; Celery only carries "deliver N now".
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        APPROVED = "approved", _("已批准")
        QUEUED = "queued", _("已排队")
        SENDING = "sending", _("发送中")
        UNCONFIRMED = "unconfirmed", _("待确认")
        # Handed over to an outlet that confirms later, or due on one an editor gives evidence
        # for (see channels.base.DeliveryMode).
        AWAITING = "awaiting", _("已交付，待确认")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    FINAL_STATUSES = (Status.DELIVERED, Status.FAILED, Status.CANCELLED)

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("内容"),
        on_delete=models.PROTECT,
        related_name="placements",
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("发布渠道"), on_delete=models.PROTECT, related_name="placements"
    )
    campaign = models.ForeignKey(
        "publicity.Campaign",
        verbose_name=_("宣传活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("审核通过的版本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.JSONField(_("渠道版本"), default=dict, blank=True)
    due_at = models.DateTimeField(_("计划时间"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("租约到期"), null=True, blank=True)
    # Set by each claim, so a claimer can tell which rows it won.
    claim_token = models.UUIDField(_("领取标记"), null=True, blank=True, editable=False)
    checks = models.PositiveIntegerField(_("核实次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(_("渠道回执编号"), max_length=200, blank=True)
    result_url = models.URLField(_("发布地址"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    # Fixed when the placement starts awaiting confirmation, from the outlet's time limit.
    confirm_by = models.DateTimeField(_("确认期限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("排期")
        verbose_name_plural = _("排期")
        indexes = [
            models.Index(fields=["status", "due_at"], name="placement_status_due"),
            models.Index(fields=["status", "lease_expires_at"], name="placement_status_lease"),
            models.Index(fields=["status", "confirm_by"], name="placement_status_confirm"),
        ]

    def __str__(self) -> str:
        return f"{self.page.title} → {self.outlet.name} @ {self.due_display}"

    @property
    def due_display(self) -> str:
        """The due time in Asia/Shanghai, written the Chinese way (the English catalog gives
        its own order); used by exports too."""
        return formats.date_format(timezone.localtime(self.due_at), gettext("Y年m月d日 H:i"))

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES

    def is_overdue_for_confirmation(self, now: datetime.datetime | None = None) -> bool:
        """Whether it still awaits confirmation past its outlet's deadline."""
        now = now or timezone.now()
        return (
            self.status == self.Status.AWAITING
            and self.confirm_by is not None
            and self.confirm_by < now
        )


class DeliveryRecord(models.Model):
    """What went out, where and when, with the outlet's receipt. Rows are never changed."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", _("已送达")
        HANDED_OVER = "handed_over", _("已交付，待确认")
        RETRY = "retry", _("暂时失败，将重试")
        UNCONFIRMED = "unconfirmed", _("结果未知，待核实")
        FAILED = "failed", _("失败")

    class Source(models.TextChoices):
        """Who says so: the outlet's machine answer, the outlet's people, or an editor."""

        RECEIPT = "receipt", _("渠道回执")
        OUTLET = "outlet", _("渠道确认")
        EDITOR = "editor", _("编辑登记")

    placement = models.ForeignKey(
        Placement, verbose_name=_("排期"), on_delete=models.PROTECT, related_name="records"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("发布渠道"), on_delete=models.PROTECT, related_name="records"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("内容"), on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.PositiveIntegerField(_("第几次尝试"))
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    url = models.URLField(_("发布地址"), max_length=500, blank=True)
    receipt = models.JSONField(_("渠道回执"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    source = models.CharField(
        _("确认来源"), max_length=20, choices=Source.choices, default=Source.RECEIPT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name at the time, kept should the account later be removed.
    recorded_by_name = models.CharField(_("登记人姓名"), max_length=150, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # A correction is a new record pointing at the one it replaces; rows are never edited.
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    class Meta:
        ordering = ["-finished_at", "-pk"]
        verbose_name = _("播发记录")
        verbose_name_plural = _("播发台账")

    def __str__(self) -> str:
        return f"{self.placement_id} #{self.attempt} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("delivery records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("delivery records are append-only")
