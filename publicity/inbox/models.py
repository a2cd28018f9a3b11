"""Feed sources (订阅源) with their health, and the entries they bring into the inbox."""

from django.conf import settings
from django.core.validators import MinValueValidator, URLValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel

# A source this many failures in a row is shown on the dashboard.
FLAG_AFTER_FAILURES = 3


class FeedSource(models.Model):
    """An RSS or Atom feed the office follows, and how its polling has gone."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(
        _("订阅地址"), max_length=1000, validators=[URLValidator(schemes=["http", "https"])]
    )
    default_column = models.ForeignKey(
        "publicity.ColumnPage",
        verbose_name=_("默认栏目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("导入为草稿时默认放入的栏目。"),
    )
    themes = models.ManyToManyField("publicity.Theme", blank=True, verbose_name=_("默认主题"))
    interval_minutes = models.PositiveIntegerField(
        _("抓取间隔（分钟）"), default=60, validators=[MinValueValidator(5)]
    )
    active = models.BooleanField(_("启用"), default=True)

    # Conditional GET: what the server said last time, sent back so an unchanged feed is a 304.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)

    next_poll_at = models.DateTimeField(_("下次抓取"), null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(_("上次抓取"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("上次成功"), null=True, blank=True, editable=False)
    last_status = models.CharField(_("上次结果"), max_length=100, blank=True, editable=False)
    last_error = models.TextField(_("最近错误"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("出错时间"), null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(_("连续失败次数"), default=0, editable=False)
    entries_seen = models.PositiveIntegerField(_("已收条目"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("url"),
        FieldRowPanel([FieldPanel("interval_minutes"), FieldPanel("active")]),
        FieldPanel("default_column"),
        FieldPanel("themes"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("订阅源")
        verbose_name_plural = _("订阅源")

    def __str__(self) -> str:
        return self.name

    @property
    def is_flagged(self) -> bool:
        """Whether the source has failed often enough in a row to need an editor's look."""
        return self.consecutive_failures >= FLAG_AFTER_FAILURES

    def health_display(self) -> str:
        """The source's state in words, as the listing and the dashboard show it."""
        if not self.active:
            return gettext("已停用")
        if self.consecutive_failures:
            return gettext("连续失败 %(n)d 次：%(error)s") % {
                "n": self.consecutive_failures,
                "error": self.last_error,
            }
        if self.last_success_at is None:
            return gettext("尚未抓取")
        return gettext("正常")

    health_display.short_description = _("状态")


class FeedEntry(models.Model):
    """One item from one or more feeds, sanitised, waiting for an editor's decision.

    An item syndicated by several sources is one entry with one sighting per source.
    """

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        IMPORTED = "imported", _("已导入")
        IGNORED = "ignored", _("已忽略")

    title = models.CharField(_("标题"), max_length=255)
    link = models.URLField(_("原文链接"), max_length=1000, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    # Sanitised to the site's tags; images keep their (http/https) source address so an
    # import can download them, and are never shown from it.
    content_html = models.TextField(_("正文"), blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, db_index=True)
    first_seen_at = models.DateTimeField(_("收到时间"), auto_now_add=True, db_index=True)

    # De-duplication keys (hex SHA-256); an empty key matches nothing.
    guid_key = models.CharField(max_length=64, blank=True, db_index=True)
    link_key = models.CharField(max_length=64, blank=True, db_index=True)
    content_key = models.CharField(max_length=64, blank=True, db_index=True)

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    sources = models.ManyToManyField(
        FeedSource, through="EntrySighting", related_name="entries", verbose_name=_("订阅源")
    )
    imported_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("导入的草稿"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    import_notes = models.TextField(_("导入说明"), blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("订阅条目")
        verbose_name_plural = _("订阅条目")

    def __str__(self) -> str:
        return self.title


class EntrySighting(models.Model):
    """That a source carried an entry, under which id and link."""

    entry = models.ForeignKey(FeedEntry, on_delete=models.CASCADE, related_name="sightings")
    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="sightings")
    guid = models.CharField(max_length=1000, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "source"], name="inbox_sighting_once")
        ]
        ordering = ["seen_at", "pk"]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.entry_id}"
