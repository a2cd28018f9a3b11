"""Every URL of the project, asked by a visitor and by a user with admin access alone.

The URL patterns are listed from Django's resolver, so a new view is covered the day it is
added. Each pattern gets a concrete URL whose arguments name existing objects (one of each
kind is made below), and is requested with GET and with POST:

* by an anonymous visitor, and
* by a user holding ``wagtailadmin.access_admin`` and no other permission.

A pattern not listed in ``PUBLIC`` (or, for the admin user, ``ADMIN_ACCESS``) must refuse:
a redirect (to the login or the dashboard), 400, 403, 404 or 405. A listed one may answer,
but no answer to either user may carry protected content: the protected objects carry a
marker that must appear in no response. Nothing may change either: every table's rows and
every stored file are the same after each request as before it.
"""

import base64
import datetime
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, models
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from wagtail.admin.models import EditingSession
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Site,
    Task,
    TaskState,
    UploadedFile,
    Workflow,
)
from wagtail.rich_text import RichText

from media_schedule.channels.led import services as led_services
from media_schedule.channels.led.models import ExportJob, Package, Screen
from media_schedule.models import Outlet, Placement
from publicity.models import (
    ArticlePage,
    Campaign,
    ColumnPage,
    ExemplarPage,
    HomePage,
    KeyDate,
    Theme,
)

pytestmark = pytest.mark.django_db

# In the titles, names and files of what neither user may see.
SECRET = "XQSECRET"
# In pages restricted to logged-in users: hidden from visitors, open to any signed-in user.
LOGIN_SECRET = "XQMEMBERS"

# Patterns anyone may open (by name, or by route for unnamed ones), and why.
PUBLIC = {
    "wagtail_serve": "the public pages; a restricted page answers with its password or login form",
    "publicity:search": "the public search",
    "publicity:feed_rss": "the public feed",
    "publicity:feed_atom": "the public feed",
    "publicity:column_feed_rss": "a public column's feed",
    "publicity:column_feed_atom": "a public column's feed",
    "sitemap": "the public sitemap",
    "favicon": "the site's icon",
    "set_language": "switches the visitor's own display language",
    "wagtaildocs_serve": "Wagtail's document view, which enforces collection privacy",
    "wagtaildocs_authenticate_with_password": "the password form of a private collection",
    "wagtailcore_authenticate_with_password": "the password form of a restricted page",
    "wagtailcore_login": "the login form of a page restricted to logged-in users",
    "^media/(?P<path>.*)$": "public images in embedded runs (add_samples: what it must refuse)",
    "wagtailadmin_login": "the admin login form",
    "wagtailadmin_password_reset": "the password reset form",
    "wagtailadmin_password_reset_done": "says a reset e-mail was sent",
    "wagtailadmin_password_reset_confirm": "the reset link's form (checks the token)",
    "wagtailadmin_password_reset_complete": "says the password was reset",
    "wagtailadmin_sprite": "the admin's icons (code, no data)",
    "wagtailadmin_javascript_catalog": "the admin's translations for scripts (code, no data)",
}

# Patterns a user with admin access alone may open, and why.
ADMIN_ACCESS = {
    "wagtailadmin_home": "the dashboard, whose panels show only what the user may see",
    "wagtailadmin_account": "the user's own account settings",
    "wagtailadmin_logout": "signs the user out",
    "wagtailadmin_dismissibles": "the user's own dismissed hints",
    "wagtailadmin_editing_sessions:release": "ends the user's own editing sessions only",
    "wagtailadmin_reports:site_history": "lists only actions on what the user may see",
    "wagtailadmin_reports:site_history_results": "lists only actions on what the user may see",
    "test404/": "Wagtail's sample of its 404 page",
}
# Views that fail on purpose.
DELIBERATE_ERRORS = {"wagtailadmin_error_test": "raises to show the admin's error page"}

REFUSED = {301, 302, 303, 307, 308, 400, 401, 403, 404, 405}

# Rows whose change is not an effect of the request on the project's data, and why.
UNWATCHED_MODELS = {
    "sessions.session": "signing in and out is the session's job",
    "wagtailusers.userprofile": "the user's own admin preferences, made on a first visit",
    "wagtailimages.rendition": "image sizes a public page creates on its first view",
}
UNWATCHED_APPS = {"axes": "login throttling records attempts"}
# Files likewise: renditions are written on a public page's first view.
UNWATCHED_FOLDERS = ("images/",)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class World:
    """One object of each kind, the protected ones carrying a marker."""

    objects: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)

    def instance_of(self, model):
        """The fixture's object of ``model`` (or the first row there is)."""
        for obj in self.objects.values():
            if type(obj) is model:
                return obj
        return model._base_manager.order_by("pk").first()


def _publish(page):
    page.save_revision().publish()
    return page.specific_class.objects.get(pk=page.pk)


def _article(parent, title, slug, body=""):
    article = ArticlePage(
        title=title,
        slug=slug,
        summary=f"{title}的摘要。",
        body=[("paragraph", RichText(f"<p>{body or title}</p>"))],
    )
    parent.add_child(instance=article)
    return _publish(article)


def build_world(owner) -> World:
    world = World()
    o = world.objects
    root = Page.get_first_root_node()
    home = HomePage(title="示范县双拥网", slug="sy-home")
    root.add_child(instance=home)
    o["home"] = home = _publish(home)
    Site.objects.filter(is_default_site=True).update(root_page=home, site_name="示范县双拥网")
    news = ColumnPage(title="双拥动态", slug="news", show_in_menus=True)
    home.add_child(instance=news)
    o["news"] = news = _publish(news)
    gallery = ColumnPage(title="先进典型", slug="exemplars", layout=ColumnPage.Layout.GALLERY)
    home.add_child(instance=gallery)
    o["gallery"] = gallery = _publish(gallery)
    internal = ColumnPage(title=f"内部通报{SECRET}", slug="internal", show_in_menus=True)
    home.add_child(instance=internal)
    o["internal"] = internal = _publish(internal)

    theme = o["theme"] = Theme.objects.create(name="国防教育", slug="defence")
    o["key_date"] = KeyDate.objects.create(name="八一建军节", month=8, day=1)
    today = timezone.localdate()
    o["campaign"] = Campaign.objects.create(
        name=f"八一宣传月{SECRET}",
        slug="august",
        starts_on=today,
        ends_on=today + datetime.timedelta(30),
    )
    image = get_image_model()(title="广场活动", file=ContentFile(PNG, name="square.png"))
    image.save()
    o["image"] = image
    unused = get_image_model()(title=f"未用图片{SECRET}", file=ContentFile(PNG, name="unused.png"))
    unused.save()

    o["article"] = article = _article(news, "县双拥工作会议召开", "meeting", "部署年度任务。")
    article.themes.add(theme)
    article.cover_image = image
    article.save_revision().publish()
    o["password_article"] = _article(
        news, f"演练方案{SECRET}", "drill-plan", f"国防动员演练的方案{SECRET}。"
    )
    o["members_article"] = _article(
        news, f"干部学习{LOGIN_SECRET}", "study", f"国防动员演练学习材料{LOGIN_SECRET}。"
    )
    o["internal_article"] = _article(
        internal, f"内部演练通报{SECRET}", "internal-drill", f"国防动员演练通报{SECRET}。"
    )
    draft = ArticlePage(title=f"待审稿件{SECRET}", slug="draft", live=False)
    news.add_child(instance=draft)
    o["revision"] = draft.save_revision(user=owner)
    o["draft"] = draft
    consent = {
        "consent_given_on": today - datetime.timedelta(days=10),
        "consent_review_date": today + datetime.timedelta(days=300),
    }
    exemplar = ExemplarPage(title="老兵宣讲员", slug="veteran", summary="义务宣讲。", **consent)
    gallery.add_child(instance=exemplar)
    o["exemplar"] = _publish(exemplar)
    hidden = ExemplarPage(title=f"候选典型{SECRET}", slug="candidate", summary=SECRET, **consent)
    gallery.add_child(instance=hidden)
    o["password_exemplar"] = _publish(hidden)

    o["password_restriction"] = PageViewRestriction.objects.create(
        page=o["password_article"], restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    PageViewRestriction.objects.create(
        page=o["password_exemplar"], restriction_type=PageViewRestriction.PASSWORD, password="pw"
    )
    PageViewRestriction.objects.create(
        page=o["members_article"], restriction_type=PageViewRestriction.LOGIN
    )
    editors = o["group"] = Group.objects.create(name="内部编辑")
    groups_only = PageViewRestriction.objects.create(
        page=internal, restriction_type=PageViewRestriction.GROUPS
    )
    groups_only.groups.set([editors])

    workflow = Workflow.objects.filter(active=True).first()
    o["workflow"] = workflow
    o["workflow_state"] = workflow.start(draft, owner)
    o["task_state"] = TaskState.objects.filter(workflow_state=o["workflow_state"]).first()
    o["task"] = Task.objects.get(pk=o["task_state"].task_id)

    private = Collection.get_first_root_node().add_child(name=f"内部资料{SECRET}")
    o["collection"] = private
    o["collection_restriction"] = CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.PASSWORD, password="pw"
    )
    document_model = get_document_model()
    o["document"] = document_model.objects.create(
        title=f"内部文件{SECRET}",
        file=ContentFile(f"内部文件内容{SECRET}".encode(), name="plan.txt"),
        collection=private,
    )
    o["public_document"] = document_model.objects.create(
        title="公开文件", file=ContentFile("公开内容".encode(), name="notice.txt")
    )
    o["upload"] = UploadedFile.objects.create(
        file=ContentFile(SECRET.encode(), name="upload.txt"),
        for_content_type=ContentType.objects.get_for_model(get_image_model()),
        uploaded_by_user=owner,
    )
    o["editing_session"] = EditingSession.objects.create(
        user=owner,
        content_type=ContentType.objects.get_for_model(Page),
        object_id=str(draft.pk),
        last_seen_at=timezone.now(),
    )
    from wagtail.contrib.redirects.models import Redirect

    o["redirect"] = Redirect.objects.create(old_path="/old-news", redirect_page=article)

    led = Outlet.objects.create(name=f"城区大屏{SECRET}", kind=Outlet.Kind.LED_SCREEN)
    o["outlet"] = led
    o["screen"] = screen = Screen.objects.create(outlet=led, width=128, height=32)
    o["placement"] = Placement.objects.create(
        page=article,
        outlet=led,
        version={"lines": ["军民团结一家亲"], "dwell_seconds": 5},
        due_at=timezone.now() - datetime.timedelta(days=1),
        status=Placement.Status.DELIVERED,
    )
    website = Outlet.objects.create(
        name=f"门户网站{SECRET}", kind=Outlet.Kind.WEBSITE, secret=f"key-{SECRET}"
    )
    o["failed_placement"] = Placement.objects.create(
        page=article,
        outlet=website,
        version={},
        due_at=timezone.now() - datetime.timedelta(hours=1),
        status=Placement.Status.FAILED,
        last_error=SECRET,
    )
    o["loop"], _new = led_services.screen_package_refresh(screen=screen)
    start = timezone.now() + datetime.timedelta(minutes=5)
    o["package"] = led_services.insertion_push(
        screen=screen,
        lines=["台风预警"],
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        dwell_seconds=10,
    )
    o["export_job"] = ExportJob.objects.create(screen=screen, message=SECRET)
    led_services.pull_record(
        screen=screen, resource="manifest.json", status_code=200, user_agent=SECRET
    )
    return world


# --- Concrete URLs ------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str  # namespaced name, or the route of an unnamed pattern
    parts: list
    pattern: URLPattern


def endpoints() -> list[Endpoint]:
    """Every URL pattern of the project, with the chain of patterns leading to it."""
    found = []

    def walk(resolver, parts, namespaces):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                spaces = namespaces + ([entry.namespace] if entry.namespace else [])
                walk(entry, [*parts, entry.pattern], spaces)
            else:
                chain = [*parts, entry.pattern]
                name = (
                    ":".join([*namespaces, entry.name])
                    if entry.name
                    else "".join(str(part) for part in chain[-1:])
                )
                found.append(Endpoint(name, chain, entry))

    walk(get_resolver(), [], [])
    return found


def _is_model(value) -> bool:
    return isinstance(value, type) and issubclass(value, models.Model)


def view_model(callback):
    """The model a class-based view (or Wagtail viewset view) works on, if it says."""
    view = callback
    while view is not None:
        model = (getattr(view, "view_initkwargs", None) or {}).get("model")
        if _is_model(model):
            return model
        view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
        if view_class is not None and _is_model(getattr(view_class, "model", None)):
            return view_class.model
        view = getattr(view, "__wrapped__", None)
    return None


# ``pk`` of views that do not say which model they show, or say another one.
PK_MODELS = {
    "wagtailadmin_workflows:enable": Workflow,
    "wagtailadmin_workflows:usage": Workflow,
    "wagtailadmin_workflows:usage_results": Workflow,
    "wagtailadmin_workflows:edit_task": Task,
    "wagtailadmin_workflows:enable_task": Task,
    "wagtailadmin_workflows:disable_task": Task,
    "wagtaildocs_chooser:chosen": get_document_model(),
    "wagtailadmin_pages:revisions_compare": Page,
    "media_schedule_placement_action": Placement,
}
# (app label, model name) for views addressed by model.
MODEL_ARGUMENTS = {
    "wagtail_bulk_action": ("wagtailcore", "page"),
    "wagtailadmin_workflows:add_task": ("wagtailcore", "groupapprovaltask"),
    "wagtailadmin_tag_model_autocomplete": ("taggit", "tag"),
    "wagtailadmin_editing_sessions:ping": ("wagtailcore", "page"),
}
# Arguments named after what they hold; the fixture's key for each.
NAMED = {
    "page_id": "draft",
    "parent_page_id": "internal",
    "page_to_move_id": "draft",
    "destination_id": "internal",
    "page_pk": "draft",
    "column_id": "internal",
    "doc_id": "document",
    "document_id": "document",
    "image_id": "image",
    "collection_id": "collection",
    "session_id": "editing_session",
    "uploaded_file_id": "upload",
    "restriction_id": "collection_restriction",
    "page_view_restriction_id": "password_restriction",
    "package_id": "package",
    "job_id": "export_job",
    "screen_id": "screen",
    "placement_id": "placement",
    "workflow_pk": "workflow",
    "workflow_state_id": "workflow_state",
    "task_state_id": "task_state",
    "task_id": "task",
    "revision_id": "revision",
    "redirect_id": "redirect",
}
WORDS = {
    "view": "actual",
    "filter_spec": "original",
    "name": "package.zip",
    "uidb64": "MQ",
    "token": "set-password",
    "action_name": "approve",
    "revision_id_a": "earliest",
    "revision_id_b": "latest",
}
ACTIONS = {"wagtail_bulk_action": "delete", "media_schedule_placement_action": "retry"}


def argument(world: World, endpoint: Endpoint, name: str):
    """A value for the URL argument ``name`` that names an existing object where it can."""
    o = world.objects
    if name in NAMED:
        return o[NAMED[name]].pk
    if name in ("pk", "object_id"):
        model = PK_MODELS.get(endpoint.name) or view_model(endpoint.pattern.callback)
        if model is None and "page" in endpoint.name:
            model = Page
        if model is not None and issubclass(model, Page):
            return o["draft"].pk
        instance = world.instance_of(model) if model is not None else None
        return instance.pk if instance is not None else o["draft"].pk
    if name in ("app_label", "app_name", "content_type_app_name"):
        return MODEL_ARGUMENTS.get(endpoint.name, ("publicity", "articlepage"))[0]
    if name in ("model_name", "content_type_model_name"):
        return MODEL_ARGUMENTS.get(endpoint.name, ("publicity", "articlepage"))[1]
    if name == "action":
        return ACTIONS.get(endpoint.name, "delete")
    if name in WORDS:
        return WORDS[name]
    if name.endswith(("_id", "_pk")):
        # A new view's ``<thing>_id``: the fixture's object of the model called ``thing``.
        wanted = name.rsplit("_", 1)[0].replace("_", "")
        for model in apps.get_models():
            if model._meta.model_name == wanted:
                instance = world.instance_of(model)
                if instance is not None:
                    return instance.pk
        return 1
    return "x"


_ROUTE_ARGUMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")


def _fill_route(world, endpoint, pattern: RoutePattern) -> str:
    def value(match):
        name = match.group("name")
        converter = pattern.converters.get(name)
        raw = argument(world, endpoint, name)
        return str(converter.to_url(raw) if converter is not None else raw)

    return _ROUTE_ARGUMENT.sub(value, str(pattern._route))


def _fill_regex(world, endpoint, pattern: RegexPattern) -> str:
    def value(match):
        raw = str(argument(world, endpoint, match.group("name")))
        if re.fullmatch(match.group("body"), raw):
            return raw
        return match.group("body").split("|")[0]

    text = _REGEX_GROUP.sub(value, str(pattern._regex))
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


def sample_urls(world: World, endpoint: Endpoint) -> list[tuple[str, bool | None]]:
    """``(url, may_answer)`` pairs to request for ``endpoint``; ``None`` leaves it to the
    pattern's place in ``PUBLIC`` or ``ADMIN_ACCESS``."""
    if endpoint.name in world.samples:
        return world.samples[endpoint.name]
    path = ""
    for part in endpoint.parts:
        if isinstance(part, RoutePattern):
            path += _fill_route(world, endpoint, part)
        else:
            path += _fill_regex(world, endpoint, part)
    return [("/" + path, None)]


def add_samples(world: World) -> None:
    """URLs for the patterns that take free paths: pages, documents, media, pulls."""
    o = world.objects
    media = settings.MEDIA_URL
    document, public_document = o["document"], o["public_document"]
    pages = ["home", "news", "article", "password_article", "members_article", "internal"]
    pages += ["internal_article", "gallery", "exemplar", "password_exemplar"]
    world.samples["wagtail_serve"] = [(o[key].url, None) for key in pages] + [
        ("/no-such-page/", None)
    ]
    world.samples["wagtaildocs_serve"] = [
        (f"/documents/{document.pk}/{document.filename}", None),
        (f"/documents/{public_document.pk}/{public_document.filename}", None),
    ]
    # A private file left under MEDIA_ROOT by an older version must not be served either.
    legacy = Path(settings.MEDIA_ROOT, "documents", "legacy.txt")
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_text(f"旧版内部文件{SECRET}", encoding="utf-8")
    world.samples["^media/(?P<path>.*)$"] = [
        (media + "documents/legacy.txt", False),
        (media + o["image"].file.name, None),
        (media + document.file.name, False),
        (media + public_document.file.name, False),
        (media + o["package"].archive.name, False),
        (media + o["loop"].archive.name, False),
        (media + o["upload"].file.name, False),
        (media + "../secret_key", False),
    ]
    world.samples["publicity:search"] = [("/search/?q=国防动员演练", None)]
    world.samples["publicity:column_feed_rss"] = [
        (f"/feeds/column/{o['news'].pk}/rss.xml", None),
        (f"/feeds/column/{o['internal'].pk}/rss.xml", False),
    ]
    world.samples["publicity:column_feed_atom"] = [
        (f"/feeds/column/{o['news'].pk}/atom.xml", None),
        (f"/feeds/column/{o['internal'].pk}/atom.xml", False),
    ]
    # Listings asked for what they hold, not only their first screen.
    news = o["news"].pk
    world.samples["wagtailadmin_api:pages:listing"] = [
        (f"/admin/api/main/pages/?child_of={news}", None),
        ("/admin/api/main/pages/?search=演练", None),
    ]
    world.samples["wagtailadmin_choose_page_search"] = [("/admin/choose-page/search/?q=演练", None)]
    world.samples["wagtailadmin_tag_autocomplete"] = [("/admin/tag-autocomplete/?term=a", None)]
    world.samples["wagtailadmin_pages:search_results"] = [
        ("/admin/pages/search/results/?q=演练", None)
    ]


# --- Observing changes --------------------------------------------------------------------


def watched_models():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in UNWATCHED_MODELS:
            continue
        if meta.app_label in UNWATCHED_APPS:
            continue
        yield model


def database_state() -> dict[str, str]:
    """A digest of every watched table's rows, as the database stores them."""
    state = {}
    with connection.cursor() as cursor:
        for model in watched_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[model._meta.label] = hashlib.sha1("\n".join(rows).encode()).hexdigest()
    return state


def file_state() -> dict[str, tuple[int, int]]:
    """Size and modification time of every stored file."""
    state = {}
    roots = {Path(settings.MEDIA_ROOT)}
    if getattr(settings, "PRIVATE_MEDIA_ROOT", None):
        roots.add(Path(settings.PRIVATE_MEDIA_ROOT))
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder, name)
                relative = path.relative_to(root).as_posix()
                if relative.startswith(UNWATCHED_FOLDERS):
                    continue
                stat = path.stat()
                state[f"{root}:{relative}"] = (stat.st_size, stat.st_mtime_ns)
    return state


def _changes(before: dict, after: dict) -> list[str]:
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the response once its content has been read.
        return b"".join(response.streaming_content)
    return response.content


# --- The test -----------------------------------------------------------------------------


@pytest.fixture
def world(settings, tmp_path):
    # No page cached by another test may answer for this one's pages.
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    owner = get_user_model().objects.create_superuser("owner", "owner@example.com", "pw")
    world = build_world(owner)
    world.objects["owner"] = owner
    add_samples(world)
    return world


def admin_only_user():
    user = get_user_model().objects.create_user("admin-only", password="pw")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def audit(world: World, user) -> tuple[list[str], int]:
    """Request every pattern's URLs as ``user`` (``None``: a visitor); return what went
    wrong and how many requests were made."""
    client = Client(raise_request_exception=False)
    allowed = dict(PUBLIC, **(ADMIN_ACCESS if user else {}))
    # The screen's pull token is a secret too, for both.
    forbidden = [SECRET.encode(), world.objects["screen"].token.encode()]
    forbidden += [] if user else [LOGIN_SECRET.encode()]
    problems = []
    requested = 0
    state = None
    for endpoint in endpoints():
        for url, may_answer in sample_urls(world, endpoint):
            if may_answer is None:
                may_answer = endpoint.name in allowed
            match = resolve(url.split("?")[0])
            if match.route != resolve_route(endpoint):
                problems.append(f"{url}: reaches {match.route!r}, not {endpoint.name}")
                continue
            for method in ("get", "post"):
                if user is not None and "_auth_user_id" not in client.session:
                    client.force_login(user)
                    state = None
                state = state or (database_state(), file_state())
                response = getattr(client, method)(url)
                body = body_of(response)
                requested += 1
                where = f"{method.upper()} {url} [{endpoint.name}]"
                if response.status_code >= 500:
                    if not (user and endpoint.name in DELIBERATE_ERRORS):
                        problems.append(f"{where}: {response.status_code}")
                elif not may_answer and response.status_code not in REFUSED:
                    problems.append(f"{where}: {response.status_code}, must be refused")
                elif response.has_header("Location") and not response["Location"].startswith("/"):
                    problems.append(f"{where}: sends the user off the site")
                for marker in forbidden:
                    if marker in body:
                        problems.append(f"{where}: shows {marker.decode()}")
                after = (database_state(), file_state())
                changed = _changes(state[0], after[0]) + _changes(state[1], after[1])
                if changed:
                    problems.append(f"{where}: changed {', '.join(changed)}")
                state = after
    return problems, requested


@pytest.mark.parametrize("role", ["anonymous", "admin_only"])
def test_no_url_serves_or_changes_what_the_user_may_not_see(world, role):
    problems, requested = audit(world, admin_only_user() if role == "admin_only" else None)

    assert requested > 500
    assert problems == [], "\n".join(problems)


def leaky_view(request, screen_id: int):
    """A view added without a permission check: it shows a screen and withdraws a package."""
    screen = Screen.objects.select_related("outlet").get(pk=screen_id)
    Package.objects.filter(screen=screen).update(withdrawn_at=timezone.now())
    return HttpResponse(f"{screen.outlet.name} {screen.token}")


# The URLs of the test below: a view nobody listed, as a new one would be.
urlpatterns = [path("admin/led/screens/<int:screen_id>/new-view/", leaky_view, name="new_view")]


def test_a_new_view_without_a_permission_check_is_caught(world, settings):
    settings.ROOT_URLCONF = __name__

    problems, _requested = audit(world, admin_only_user())

    url = f"/admin/led/screens/{world.objects['screen'].pk}/new-view/"
    assert problems[:3] == [
        f"GET {url} [new_view]: 200, must be refused",
        f"GET {url} [new_view]: shows {SECRET}",
        f"GET {url} [new_view]: shows {world.objects['screen'].token}",
    ]
    assert problems[3] == f"GET {url} [new_view]: changed led.Package"


def resolve_route(endpoint: Endpoint) -> str:
    """The route ``resolve`` reports for the pattern (Django drops inner ``^`` anchors)."""
    route = ""
    for part in endpoint.parts:
        route = route + str(part).removeprefix("^") if route else str(part)
    return route
