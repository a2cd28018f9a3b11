"""Build the demo site. Every step looks its object up first, so a second run changes nothing."""

import datetime
import io
import math
import secrets
import wave
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from publicity.models import ArticlePage, ColumnPage, ExemplarPage, HomePage, KeyDate, Theme
from publicity.services import site_set_public_address

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
    # Every run: the address may have changed (another PORT) since the site was created.
    site = Site.objects.get(is_default_site=True)
    if site_set_public_address(site=site, base_url=settings.WAGTAILADMIN_BASE_URL):
        report.count("site address")
    columns = _columns(home, report)
    staff = _staff(report)
    _articles(columns, themes, now, staff, report)
    _exemplars(columns["exemplars"], now, staff, report)
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
    windows = {}
    for name, month, day, week, weekday, lead, description, extras in content.KEY_DATES:
        key_date, created = KeyDate.objects.get_or_create(
            name=name,
            defaults={
                "month": month,
                "day": day,
                "week_of_month": week,
                "weekday": weekday,
                "lead_days": lead,
                "description": description,
                "calendar": extras.get("calendar", KeyDate.Calendar.GREGORIAN),
                "last_day": extras.get("last_day", False),
            },
        )
        if created:
            report.count("key dates")
        if "window_end" in extras:
            windows[key_date] = extras["window_end"]
    # A demo from before windows existed gets its window too; one set by hand is kept.
    for key_date, end_name in windows.items():
        if key_date.window_end_id is None:
            key_date.window_end = KeyDate.objects.get(name=end_name)
            key_date.description = next(
                entry[6] for entry in content.KEY_DATES if entry[0] == key_date.name
            )
            key_date.save(update_fields=["window_end", "description"])
            report.count("key date windows")


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
            layout = (
                ColumnPage.Layout.GALLERY if slug == "exemplars" else ColumnPage.Layout.ARTICLES
            )
            column = ColumnPage(
                title=title, slug=slug, intro=intro, layout=layout, show_in_menus=True
            )
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


def _staff(report: DemoReport) -> dict:
    """One demo user per 三审 step (groups come from migration 0004); no password is set,
    they stand in the approval history. An administrator can give them one."""
    user_model = get_user_model()
    staff = {}
    for username, name, group_name in content.STAFF:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            # No e-mail address: the demo approvals send no notifications.
            user = user_model(username=username, first_name=name)
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            report.count("users")
        staff[group_name] = user
    return staff


def _through_workflow(page, staff) -> None:
    """Submit ``page`` and approve it at 初审, 复审 and 终审, as an editor would in the admin;
    the last approval publishes it. Pages outside any workflow are simply published."""
    revision = page.save_revision(user=staff["编辑"])
    workflow = page.get_workflow()
    if workflow is None:
        revision.publish(user=staff["编辑"])
        return
    state = workflow.start(page, staff["编辑"])
    while state.status == state.STATUS_IN_PROGRESS:
        task_state = state.current_task_state
        reviewer = next(user for group, user in staff.items() if group == task_state.task.name)
        task_state.task.specific.on_action(task_state, reviewer, "approve")
        state.refresh_from_db()


def _body(number: int, paragraphs: list[str], report: DemoReport) -> list:
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    blocks = [("paragraph", RichText(html))]
    for quote_number, text, attribution in content.QUOTES:
        if quote_number == number:
            blocks.append(("quote", {"text": text, "attribution": attribution}))
    for image_number, caption in content.CAPTIONED_IMAGES:
        if image_number == number:
            picture = _cover(f"现场图片 {number + 1}", 200 + number, report)
            blocks.append(("image", {"image": picture, "caption": caption}))
    if content.AUDIO[0] == number:
        blocks.append(
            (
                "media",
                {
                    "kind": "audio",
                    "embed": None,
                    "file": _audio(report),
                    "caption": content.AUDIO[1],
                },
            )
        )
    return blocks


def _audio(report: DemoReport):
    """A two-second chime as WAV, written with the standard library (no downloads)."""
    document_model = get_document_model()
    title = "广播专题片头（演示）"
    document = document_model.objects.filter(title=title).first()
    if document is None:
        buffer = io.BytesIO()
        rate = 16000
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            frames = bytearray()
            for i in range(rate * 2):
                envelope = max(0.0, 1 - i / (rate * 2))
                sample = int(12000 * envelope * math.sin(2 * math.pi * 660 * i / rate))
                frames += sample.to_bytes(2, "little", signed=True)
            out.writeframes(bytes(frames))
        document = document_model(
            title=title, file=ContentFile(buffer.getvalue(), name="demo-chime.wav")
        )
        document.save()
        report.count("documents")
    return document


def _articles(columns, themes, now, staff, report: DemoReport) -> None:
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
            body=_body(number, paragraphs, report),
            live=False,
        )
        column.add_child(instance=article)
        article.tags.set(tags)
        article.themes.set([themes[slug] for slug in theme_slugs])
        _through_workflow(article, staff)
        report.count("articles")


def _exemplars(column: ColumnPage, now, staff, report: DemoReport) -> None:
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
            consent_review_date=today
            + datetime.timedelta(days=content.EXEMPLAR_REVIEW_DAYS[number]),
            consent_note="本人（单位）书面同意在双拥专栏展示事迹和照片。",
            live=False,
        )
        column.add_child(instance=page)
        _through_workflow(page, staff)
        report.count("exemplars")


def _admin_user(report: DemoReport) -> str | None:
    user_model = get_user_model()
    if user_model.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    password = secrets.token_urlsafe(12)
    user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.invalid", password)
    report.count("users")
    return password
