"""Pages and snippets of the public 双拥专栏 column."""

import datetime

from dateutil.relativedelta import relativedelta
from dateutil.rrule import YEARLY, rrule, weekday
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import lazy
from django.utils.html import strip_tags
from django.utils.http import http_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index

from .blocks import ArticleBodyBlock
from .campaign_targets import Medium as TargetMedium
from .campaign_targets import Per as TargetPer
from .campaign_targets import Target
from .campaign_targets import describe as describe_target


class Theme(index.Indexed, models.Model):
    """A campaign theme (主题) such as 国防教育 or 拥军优属, used to group and filter items."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    slug = models.SlugField(_("别名"), max_length=60, unique=True, allow_unicode=True)
    description = models.TextField(_("说明"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self) -> str:
        return self.name


def month_label(month: int) -> str:
    """``9月`` in Chinese, the month's name in English."""
    return dateformat.format(datetime.date(2024, month, 1), gettext("n月"))


def long_date(value: datetime.date) -> str:
    """``2025年8月1日`` in Chinese, the English catalog's own order in English."""
    return dateformat.format(value, gettext("Y年n月j日"))


class KeyDate(models.Model):
    """A recurring date that publicity peaks around (重要节点).

    The rule is a fixed day of a month (8月1日 建军节), the n-th weekday of a month
    (9月第三个星期六 全民国防教育日; ``week_of_month`` -1 means the last one), a day of the
    lunar calendar (正月初一 春节; ``last_day`` for 除夕, the last day of 腊月 whether it has 29
    or 30 days), moved by ``offset_days``; with ``window_end`` it starts a window that runs
    to that key date's next occurrence (元旦 → 元宵). ``publicity.key_dates`` does the dates.
    """

    class Calendar(models.TextChoices):
        GREGORIAN = "gregorian", _("公历")
        LUNAR = "lunar", _("农历")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    class WeekOfMonth(models.IntegerChoices):
        FIRST = 1, _("第一个")
        SECOND = 2, _("第二个")
        THIRD = 3, _("第三个")
        FOURTH = 4, _("第四个")
        LAST = -1, _("最后一个")

    name = models.CharField(_("名称"), max_length=60)
    calendar = models.CharField(
        _("历法"), max_length=10, choices=Calendar.choices, default=Calendar.GREGORIAN
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), choices=[(m, lazy(month_label, str)(m)) for m in range(1, 13)]
    )
    leap_month = models.BooleanField(
        _("闰月"), default=False, help_text=_("仅农历：按闰月计算，没有该闰月的年份不出现。")
    )
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    last_day = models.BooleanField(
        _("当月最后一天"),
        default=False,
        help_text=_("代替“日”：例如除夕是农历十二月的最后一天（二十九或三十）。"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=Weekday.choices, null=True, blank=True
    )
    week_of_month = models.SmallIntegerField(
        _("第几个"), choices=WeekOfMonth.choices, null=True, blank=True
    )
    offset_days = models.SmallIntegerField(
        _("偏移天数"),
        default=0,
        help_text=_("在上面算出的日期上加减天数，负数为提前：例如“春节前一周”填 -7。"),
    )
    window_end = models.ForeignKey(
        "self",
        verbose_name=_("时间段结束于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "选填：该节点是一个时间段，从本日期持续到所选节点的下一次日期（如元旦至元宵）。"
        ),
    )
    lead_days = models.PositiveSmallIntegerField(
        _("提前宣传天数"),
        default=14,
        help_text=_("在该日期前多少天开始集中宣传。"),
    )
    description = models.TextField(_("说明"), blank=True)
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("主题"))

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("calendar"), FieldPanel("month")], heading=_("历法与月份")),
        FieldRowPanel(
            [FieldPanel("day"), FieldPanel("last_day"), FieldPanel("leap_month")],
            heading=_("固定日期"),
        ),
        FieldRowPanel(
            [FieldPanel("week_of_month"), FieldPanel("weekday")],
            heading=_("或：某月第几个星期几（仅公历）"),
        ),
        FieldRowPanel([FieldPanel("offset_days"), FieldPanel("window_end")]),
        FieldPanel("lead_days"),
        FieldPanel("themes"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["month", "day", "week_of_month"]
        verbose_name = _("重要节点")
        verbose_name_plural = _("重要节点")

    def __str__(self) -> str:
        return _("%(name)s（%(rule)s）") % {"name": self.name, "rule": self.rule_display}

    def clean(self) -> None:
        if self.day is not None and self.last_day:
            raise ValidationError(_("“日”和“当月最后一天”只能填一个。"))
        fixed = self.day is not None or self.last_day
        nth = self.weekday is not None or self.week_of_month is not None
        if fixed == nth:
            raise ValidationError(_("请填写固定日期，或填写“第几个星期几”，二者选一。"))
        if nth and (self.weekday is None or self.week_of_month is None):
            raise ValidationError(_("“第几个星期几”规则需同时填写第几个和星期几。"))
        lunar = self.calendar == self.Calendar.LUNAR
        if lunar and nth:
            raise ValidationError(_("农历日期请填写日或当月最后一天，不能按星期计算。"))
        if self.leap_month and not lunar:
            raise ValidationError({"leap_month": _("只有农历才有闰月。")})
        if lunar and self.day is not None and not 1 <= self.day <= 30:
            raise ValidationError({"day": _("农历每月最多三十天。")})
        if abs(self.offset_days or 0) > 180:
            raise ValidationError({"offset_days": _("偏移天数不能超过 180 天。")})
        if self.window_end_id is not None and self.pk is not None and self.window_end_id == self.pk:
            raise ValidationError({"window_end": _("时间段不能结束于节点本身。")})
        if lunar and self.leap_month:
            from .key_dates import next_date

            try:
                next_date(self, timezone.localdate())
            except ValueError:
                raise ValidationError(
                    {"leap_month": _("今后四十年内没有这个闰月，请检查月份。")}
                ) from None
        if fixed and not lunar and self.day is not None:
            try:
                datetime.date(2024, self.month, self.day)  # 2024 is a leap year
            except ValueError:
                raise ValidationError(
                    {
                        "day": _("%(month)d月没有%(day)d日。")
                        % {"month": self.month, "day": self.day}
                    }
                ) from None

    @property
    def rule_display(self) -> str:
        if self.calendar == self.Calendar.LUNAR:
            month = _("农历%(leap)s%(month)d月") % {
                "leap": gettext("闰") if self.leap_month else "",
                "month": self.month,
            }
        else:
            month = month_label(self.month)
        if self.last_day:
            rule = _("%(month)s最后一天") % {"month": month}
        elif self.day is not None:
            rule = _("%(month)s%(day)d日") % {"month": month, "day": self.day}
        else:
            rule = _("%(month)s%(week)s%(weekday)s") % {
                "month": month,
                "week": self.get_week_of_month_display(),
                "weekday": self.get_weekday_display(),
            }
        if self.offset_days:
            rule = _("%(rule)s%(sign)s%(days)d天") % {
                "rule": rule,
                "sign": "+" if self.offset_days > 0 else "−",
                "days": abs(self.offset_days),
            }
        if self.window_end is not None:
            rule = _("%(rule)s至%(end)s") % {"rule": rule, "end": self.window_end.name}
        return rule

    @property
    def is_plain_gregorian(self) -> bool:
        """A fixed day or n-th weekday of the Gregorian calendar, with no offset."""
        return (
            self.calendar == self.Calendar.GREGORIAN and not self.last_day and not self.offset_days
        )

    def occurrences(self, start: datetime.date, count: int = 1) -> list[datetime.date]:
        """Return the next ``count`` dates of the rule on or after ``start``."""
        if not self.is_plain_gregorian:
            from .key_dates import next_date

            dates = []
            for _n in range(count):
                dates.append(next_date(self, start))
                start = dates[-1] + datetime.timedelta(days=1)
            return dates
        begin = datetime.datetime.combine(start, datetime.time())
        if self.day is not None:
            rule = rrule(
                YEARLY, dtstart=begin, bymonth=self.month, bymonthday=self.day, count=count
            )
        else:
            rule = rrule(
                YEARLY,
                dtstart=begin,
                bymonth=self.month,
                byweekday=weekday(self.weekday)(self.week_of_month),
                count=count,
            )
        return [moment.date() for moment in rule]

    def next_occurrence(self, today: datetime.date | None = None) -> datetime.date:
        """The first date of the rule on or after ``today`` (Asia/Shanghai)."""
        today = today or timezone.localdate()
        if not self.is_plain_gregorian:
            from .key_dates import next_date

            return next_date(self, today)
        return self.occurrences(today)[0]

    def publicity_window(
        self, today: datetime.date | None = None
    ) -> tuple[datetime.date, datetime.date]:
        """The lead-in window that ends on the next occurrence."""
        date = self.next_occurrence(today)
        return date - relativedelta(days=self.lead_days), date


class PublicPage(Page):
    """Behaviour shared by the public page types: caching headers and page descriptions."""

    # Pages whose own publication time is a true Last-Modified; listings change whenever a
    # child is published, so they rely on the ETag alone.
    sends_last_modified = False

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if getattr(request, "is_preview", False) or request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
            return response
        patch_cache_control(
            response, public=True, max_age=getattr(settings, "PUBLICITY_PAGE_MAX_AGE", 300)
        )
        if self.sends_last_modified and self.last_published_at:
            response.headers.setdefault(
                "Last-Modified", http_date(self.last_published_at.timestamp())
            )
        return response

    def get_view_restrictions(self):
        """Restrictions on this page or an ancestor (or their alias sources), in one query
        where Wagtail's own version takes two."""
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        ancestors = Page.objects.filter(path__in=paths)
        return PageViewRestriction.objects.filter(
            Q(page_id__in=ancestors.filter(alias_of__isnull=True).values("pk"))
            | Q(page_id__in=ancestors.filter(alias_of__isnull=False).values("alias_of_id"))
        )

    def get_context(self, request, *args, **kwargs):
        from .selectors import PageLinks, Pictures, breadcrumb_trail, site_navigation

        context = super().get_context(request, *args, **kwargs)
        # One link builder and one rendition look-up serve everything the page shows.
        links = PageLinks(request)
        pictures = Pictures()
        context["navigation"] = site_navigation(links)
        context["trail"] = breadcrumb_trail(self, links)
        context["canonical_url"] = links.full_url(self.url_path) if self.url_path else None
        context.update(self.public_context(request, links=links, pictures=pictures))
        pictures.resolve()
        return context

    def public_context(self, request, *, links, pictures) -> dict:
        """What this page type adds to its template context; images are asked of
        ``pictures`` and filled in after this returns."""
        return {}

    def meta_description(self) -> str:
        """The text for ``<meta name="description">`` and Open Graph."""
        return self.search_description or getattr(self, "intro", "") or ""

    def meta_image(self):
        """The image shown when the page is shared, if any."""
        return None


class HomePage(PublicPage):
    """The site's root: surfaces the latest from each column and the next key date."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["publicity.ColumnPage"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")

    def route(self, request, path_components):
        # One indexed lookup (slug, then the full URL path) finds a page at any depth,
        # where Wagtail walks the tree with two queries per level.
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            lookup = {
                "slug": path_components[-1],
                "url_path": url_path,
                "path__startswith": self.path,
            }
            # Most views below the home page are of a column (one step down, the only type
            # allowed there) or an article (deeper): that table is asked first and gives the
            # specific page at once. Anything else reads the row's type, then its page.
            likely = ColumnPage if len(path_components) == 1 else ArticlePage
            page = likely.objects.filter(**lookup).first()
            if page is None:
                found = Page.objects.filter(**lookup).values_list("pk", "content_type_id").first()
                model = ContentType.objects.get_for_id(found[1]).model_class() if found else None
                page = model.objects.filter(pk=found[0]).first() if model else None
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def public_context(self, request, *, links, pictures) -> dict:
        from .selectors import child_columns, home_sections, next_key_dates, recent_exemplars

        # The menu lists the same columns when this is the site's home: one query for both.
        site_home = links.site is not None and links.site.root_page_id == self.pk
        columns = links.top_columns if site_home else child_columns(self)
        return {
            "sections": home_sections(columns, links=links, pictures=pictures),
            "key_dates": next_key_dates(limit=3),
            "exemplars": recent_exemplars(self, limit=4, links=links, pictures=pictures),
        }


class ColumnPage(PublicPage):
    """A column (专栏) or sub-column such as 双拥动态, 拥军优属 or 国防教育."""

    class Layout(models.TextChoices):
        ARTICLES = "articles", _("文章列表")
        GALLERY = "gallery", _("先进典型画廊")

    intro = models.TextField(_("导语"), blank=True)
    layout = models.CharField(
        _("版式"),
        max_length=20,
        choices=Layout.choices,
        default=Layout.ARTICLES,
        help_text=_("文章列表显示本栏目及子栏目的文章；先进典型画廊显示其中的先进典型。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("layout")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["publicity.HomePage", "publicity.ColumnPage"]
    subpage_types = ["publicity.ColumnPage", "publicity.ArticlePage", "publicity.ExemplarPage"]

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def public_context(self, request, *, links, pictures) -> dict:
        from .selectors import column_listing

        return column_listing(self, request.GET, links=links, pictures=pictures)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "publicity.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(PublicPage):
    """One news item, policy or story; the unit that is scheduled to every outlet."""

    sends_last_modified = True
    COVER_RENDITIONS = ("fill-1200x675", "fill-640x360", "fill-1200x630")

    subtitle = models.CharField(_("副标题"), max_length=120, blank=True)
    summary = models.TextField(_("摘要"), max_length=300, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("正文"), blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    author = models.CharField(_("作者"), max_length=60, blank=True)
    publication_date = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("标签"))
    themes = ParentalManyToManyField(Theme, blank=True, verbose_name=_("主题"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("subtitle"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("source"),
                FieldPanel("author"),
                FieldPanel("publication_date"),
                FieldPanel("tags"),
                FieldPanel("themes"),
            ],
            heading=_("来源与分类"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("subtitle"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("publication_date"),
    ]
    parent_page_types = ["publicity.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")

    def public_context(self, request, *, links, pictures) -> dict:
        from .selectors import article_labels, related_articles

        if getattr(request, "is_preview", False):
            # A preview shows the edited, unsaved themes and tags held in memory.
            themes = [{"pk": t.pk, "name": t.name, "slug": t.slug} for t in self.themes.all()]
            tags = [{"name": tag.name} for tag in self.tags.all()]
        else:
            themes, tags = article_labels(self)
        context = {
            "theme_list": themes,
            "tag_list": tags,
            "related": related_articles(
                self, [theme["pk"] for theme in themes], links=links, pictures=pictures
            ),
        }
        if self.cover_image_id:
            context["cover"] = {
                spec: pictures.want(self.cover_image_id, spec) for spec in self.COVER_RENDITIONS
            }
        return context

    def meta_description(self) -> str:
        return self.search_description or self.summary

    def meta_image(self):
        return self.cover_image

    def search_document(self) -> str:
        """Plain text of everything a visitor could search for in this article."""
        parts = [self.title, self.subtitle, self.summary]
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(strip_tags(block.value.source))
            elif block.block_type == "quote":
                parts.extend([block.value["text"], block.value["attribution"]])
            else:
                parts.append(block.value.get("caption") or "")
        parts.extend([self.source, self.author])
        return "\n".join(part for part in parts if part)


class ConsentStatusPanel(HelpPanel):
    """Shows the editor how long the subject's consent to be shown still runs."""

    class BoundPanel(HelpPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.content = consent_status_html(self.instance)


def consent_warning_days() -> int:
    """How many days before consent lapses the admin starts warning."""
    return getattr(settings, "PUBLICITY_CONSENT_WARNING_DAYS", 30)


def consent_status_html(page) -> str:
    """A warning for the edit form when consent has lapsed or lapses within the warning window."""
    from django.utils.html import format_html

    review = getattr(page, "consent_review_date", None)
    if review is None:
        return format_html(
            '<p class="help-block help-warning">{}</p>', _("尚未记录同意展示的复核日期。")
        )
    days = (review - timezone.localdate()).days
    if days < 0:
        message = _(
            "同意展示已于 %(date)s 过期，页面已不在公开网站显示。请重新取得同意并更新复核日期。"
        )
    elif days <= consent_warning_days():
        message = _("同意展示将于 %(date)s 到期（还有 %(days)d 天），到期后页面将自动撤下。")
    else:
        return format_html(
            '<p class="help-block help-info">{}</p>',
            _("同意展示有效至 %(date)s。") % {"date": long_date(review)},
        )
    return format_html(
        '<p class="help-block help-warning">{}</p>',
        message % {"date": long_date(review), "days": days},
    )


class ExemplarPage(PublicPage):
    """An exemplary person or unit (先进典型), shown only while their consent is current."""

    sends_last_modified = True

    class SubjectKind(models.TextChoices):
        PERSON = "person", _("个人")
        UNIT = "unit", _("单位")

    subject_kind = models.CharField(
        _("个人或单位"), max_length=10, choices=SubjectKind.choices, default=SubjectKind.PERSON
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("摘要"), max_length=300, blank=True)
    honours = models.TextField(_("荣誉"), blank=True, help_text=_("每行一项荣誉。"))
    story = RichTextField(_("事迹"), blank=True)
    consent_given_on = models.DateField(_("同意展示日期"), null=True, blank=True)
    consent_review_date = models.DateField(
        _("同意复核日期"),
        null=True,
        blank=True,
        help_text=_("过了此日期，页面将从公开网站撤下，直至重新取得同意。"),
    )
    consent_record = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("同意书"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_note = models.CharField(_("同意情况说明"), max_length=200, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("subject_kind"),
        FieldPanel("photo"),
        FieldPanel("summary"),
        FieldPanel("honours"),
        FieldPanel("story"),
        MultiFieldPanel(
            [
                ConsentStatusPanel(),
                FieldPanel("consent_given_on"),
                FieldPanel("consent_review_date"),
                FieldPanel("consent_record"),
                FieldPanel("consent_note"),
            ],
            heading=_("本人（单位）同意展示"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("honours"),
        index.SearchField("story"),
    ]
    parent_page_types = ["publicity.ColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("先进典型")
        verbose_name_plural = _("先进典型")

    def clean(self) -> None:
        super().clean()
        if self.consent_review_date is None or self.consent_given_on is None:
            raise ValidationError({"consent_review_date": _("请填写同意展示的日期和复核日期。")})
        if self.consent_review_date <= self.consent_given_on:
            raise ValidationError({"consent_review_date": _("复核日期必须晚于同意日期。")})

    def consent_current(self, today: datetime.date | None = None) -> bool:
        """Whether the subject's consent covers ``today``."""
        today = today or timezone.localdate()
        return self.consent_review_date is not None and self.consent_review_date >= today

    def serve(self, request, *args, **kwargs):
        # Lapsed consent takes the page off the public site at once, before the periodic
        # unpublish task catches up; previews in the admin still work.
        if not getattr(request, "is_preview", False) and not self.consent_current():
            raise Http404(_("该页面暂不公开。"))
        return super().serve(request, *args, **kwargs)

    def public_context(self, request, *, links, pictures) -> dict:
        from .selectors import PORTRAIT_RENDITION

        return {
            "photo": pictures.want(self.photo_id, PORTRAIT_RENDITION),
            "share_photo": pictures.want(self.photo_id, "fill-1200x630"),
        }

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if self.consent_current() else []

    def meta_description(self) -> str:
        return self.search_description or self.summary

    def meta_image(self):
        return self.photo

    def search_document(self) -> str:
        """Plain text of everything a visitor could search for on this page."""
        parts = [self.title, self.summary, self.honours, strip_tags(self.story)]
        return "\n".join(part for part in parts if part)

    @property
    def honour_list(self) -> list[str]:
        return [line.strip() for line in self.honours.splitlines() if line.strip()]


class Campaign(models.Model):
    """A publicity campaign (宣传活动): a window, its themes and coverage targets per medium."""

    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("别名"), max_length=100, unique=True, allow_unicode=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    key_date = models.ForeignKey(
        KeyDate,
        verbose_name=_("重要节点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    themes = models.ManyToManyField(Theme, blank=True, verbose_name=_("主题"))
    description = models.TextField(_("说明"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("key_date"),
        FieldPanel("themes"),
        FieldPanel("targets_text"),
        FieldPanel("description"),
    ]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")

    def __str__(self) -> str:
        return self.name

    @property
    def targets_summary(self) -> str:
        """The targets as people say them, for listings: 电视每周至少 2 条；户外屏全程滚动."""
        return "；".join(str(target) for target in self.targets.all())

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


class CampaignTarget(models.Model):
    """One coverage target of a campaign: ``count`` items of ``medium`` per ``per``
    (see ``publicity.campaign_targets``)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="targets", verbose_name=_("宣传活动")
    )
    medium = models.CharField(_("媒介"), max_length=20, choices=TargetMedium.choices)
    count = models.PositiveIntegerField(_("条数"), default=1)
    per = models.CharField(_("期间"), max_length=20, choices=TargetPer.choices)

    class Meta:
        ordering = ["campaign", "id"]
        verbose_name = _("宣传目标")
        verbose_name_plural = _("宣传目标")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="campaign_target_count_positive")
        ]

    def __str__(self) -> str:
        return describe_target(self.as_target())

    def as_target(self) -> Target:
        return Target(medium=self.medium, count=self.count, per=self.per)


class SearchEntry(models.Model):
    """The searchable plain text of one live article or exemplar (see ``publicity.search``)."""

    page = models.OneToOneField(
        "wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    title = models.CharField(max_length=255)
    text = models.TextField()
    published_at = models.DateTimeField(db_index=True)
    # Exemplars leave search when consent lapses, even before they are unpublished.
    visible_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("搜索条目")
        verbose_name_plural = _("搜索条目")

    def __str__(self) -> str:
        return self.title


class SearchGram(models.Model):
    """One Chinese bigram, final character of a Chinese run, or Latin word of an entry."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="grams")
    gram = models.CharField(max_length=32)
    # First character of the gram, so one-character queries are an indexed lookup too.
    lead = models.CharField(max_length=1)

    class Meta:
        indexes = [
            models.Index(fields=["gram", "entry"], name="publicity_gram_lookup"),
            models.Index(fields=["lead", "entry"], name="publicity_gram_lead"),
        ]
        verbose_name = _("搜索词元")
        verbose_name_plural = _("搜索词元")

    def __str__(self) -> str:
        return self.gram
