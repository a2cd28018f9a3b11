"""Build the demo site. Every step looks its object up first, so a second run changes nothing."""

import datetime
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from publicity.models import ArticlePage, ColumnPage, ExemplarPage, HomePage, KeyDate, Theme

from . import content
from .images import draw_cover

ADMIN_USERNAME = "admin"


@dataclass
class DemoReport:
    """What a run created; ``admin_password`` is set only when the admin user was new."""

    created: dict[str, int] = field(default_factory=dict)
    admin_password: str | None = None

    def count(self, kind: str) -> None:
        self.created[kind] = self.created.get(kind, 0) + 1


@transaction.atomic
def load_demo_content(*, now: datetime.datetime | None = None) -> DemoReport:
    """Create the demo county's site, themes, key dates, articles, exemplars and admin user."""
    now = now or timezone.now()
    report = DemoReport()
    themes = _themes(report)
    _key_dates(report, themes)
    home = _home(report)
    columns = _columns(home, report)
    _articles(columns, themes, now, report)
    _exemplars(columns["exemplars"], now, report)
    report.admin_password = _admin_user(report)
    return report


def _themes(report: DemoReport) -> dict[str, Theme]:
    themes = {}
    for name, slug, description in content.THEMES:
        theme, created = Theme.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        if created:
            report.count("themes")
        themes[slug] = theme
    return themes


def _key_dates(report: DemoReport, themes: dict[str, Theme]) -> None:
    for name, month, day, week, weekday, lead, description in content.KEY_DATES:
        _key_date, created = KeyDate.objects.get_or_create(
            name=name,
            defaults={
                "month": month,
                "day": day,
                "week_of_month": week,
                "weekday": weekday,
                "lead_days": lead,
                "description": description,
            },
        )
        if created:
            report.count("key dates")


def _home(report: DemoReport) -> HomePage:
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    home = HomePage(
        title="双拥专栏",
        slug="shuangyong",
        intro="示范县双拥工作的窗口：动态、政策、典型和国防教育，一站了解。",
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="示范县双拥专栏",
        )
    else:
        site.root_page = home
        site.site_name = "示范县双拥专栏"
        site.save()
    # Wagtail's placeholder "Welcome" page is replaced by the demo home page.
    if old_root is not None and old_root.specific_class is Page and old_root.depth == 2:
        old_root.delete()
    report.count("home page")
    return home


def _columns(home: HomePage, report: DemoReport) -> dict[str, ColumnPage]:
    columns = {}
    for slug, title, intro in content.COLUMNS:
        column = ColumnPage.objects.child_of(home).filter(slug=slug).first()
        if column is None:
            column = ColumnPage(title=title, slug=slug, intro=intro)
            home.add_child(instance=column)
            column.save_revision().publish()
            report.count("columns")
        columns[slug] = column
    return columns


def _cover(title: str, seed: int, report: DemoReport):
    image_model = get_image_model()
    image_title = f"封面：{title}"
    image = image_model.objects.filter(title=image_title).first()
    if image is None:
        picture = ImageFile(ContentFile(draw_cover(title, seed)), name=f"demo-cover-{seed}.jpg")
        image = image_model(title=image_title, file=picture)
        # The subject (the star motif) sits on the left: crops keep it.
        image.focal_point_x, image.focal_point_y = 180, 200
        image.focal_point_width, image.focal_point_height = 200, 200
        image.save()
        report.count("images")
    return image


def _articles(columns, themes, now, report: DemoReport) -> None:
    for number, row in enumerate(content.ARTICLES):
        column_slug, title, subtitle, summary, paragraphs, tags, theme_slugs, source, author = row
        column = columns[column_slug]
        slug = f"article-{number + 1:03d}"
        if ArticlePage.objects.child_of(column).filter(slug=slug).exists():
            continue
        article = ArticlePage(
            title=title,
            slug=slug,
            subtitle=subtitle,
            summary=summary,
            source=source,
            author=author,
            publication_date=now - datetime.timedelta(days=number * 3, hours=number),
            cover_image=_cover(title, number, report),
            body=[("paragraph", RichText("".join(f"<p>{p}</p>" for p in paragraphs)))],
        )
        column.add_child(instance=article)
        article.tags.set(tags)
        article.themes.set([themes[slug] for slug in theme_slugs])
        article.save_revision().publish()
        report.count("articles")


def _exemplars(column: ColumnPage, now, report: DemoReport) -> None:
    today = timezone.localdate(now)
    for number, (title, kind, summary, honours, story) in enumerate(content.EXEMPLARS):
        slug = f"exemplar-{number + 1:02d}"
        if ExemplarPage.objects.child_of(column).filter(slug=slug).exists():
            continue
        page = ExemplarPage(
            title=title,
            slug=slug,
            subject_kind=kind,
            summary=summary,
            honours="\n".join(honours),
            story="".join(f"<p>{p}</p>" for p in story),
            photo=_cover(title, 100 + number, report),
            consent_given_on=today - datetime.timedelta(days=30 * (number + 1)),
            consent_review_date=today + datetime.timedelta(days=365 - 100 * number),
            consent_note="本人（单位）书面同意在双拥专栏展示事迹和照片。",
        )
        column.add_child(instance=page)
        page.save_revision().publish()
        report.count("exemplars")


def _admin_user(report: DemoReport) -> str | None:
    user_model = get_user_model()
    if user_model.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.invalid", password)
    report.count("users")
    return password
