"""English is available everywhere: the catalog is complete and faithful to its placeholders,
public pages follow the visitor's language cookie, and the admin follows the editor's
preferred language or the cookie. Without a choice everything stays Chinese."""

import ast
import datetime
import gettext
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation.template import templatize
from wagtail.models import Page, Site
from wagtail.rich_text import RichText
from wagtail.users.models import UserProfile

from media_schedule.channels.led.models import Screen
from media_schedule.models import Outlet, Placement
from publicity.models import ArticlePage, Campaign, ColumnPage, HomePage, KeyDate, Theme

BASE_DIR = Path(settings.BASE_DIR)
CATALOG_DIR = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
# What MAKEMESSAGES below reads: the apps and the site templates.
SOURCE_DIRS = [BASE_DIR / "site", BASE_DIR / "publicity", BASE_DIR / "media_schedule"]
TEMPLATE_DIRS = [BASE_DIR / "templates", *SOURCE_DIRS]
IGNORED = "--ignore=.venv --ignore=var --ignore=node_modules"
MAKEMESSAGES = f"manage.py makemessages -l en {IGNORED} --ignore=tests --ignore=bench --ignore=docs"
# Without the ignores compilemessages would also rewrite the installed packages' catalogs.
COMPILEMESSAGES = f"manage.py compilemessages -l en {IGNORED}"

# printf-style conversions (named or positional) and str.format fields.
PLACEHOLDER = re.compile(
    r"%\((?P<name>[^)]+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|(?P<positional>%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa])"
    r"|(?P<field>\{\w*\})"
)
# Call names xgettext is given by makemessages, with the argument positions of the context
# and the message.
KEYWORDS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
_LITERAL = r"[ur]?(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
TEMPLATE_CALL = re.compile(
    rf"\b(?P<name>{'|'.join(KEYWORDS)})\(\s*(?P<args>{_LITERAL}(?:\s*,\s*{_LITERAL})*)"
)


@dataclass(frozen=True)
class CatalogEntry:
    context: str | None
    msgid: str
    msgid_plural: str | None
    msgstrs: tuple[str, ...]
    flags: frozenset[str]


def read_catalog(path: Path) -> list[CatalogEntry]:
    """The entries of a .po file (header and obsolete entries left out)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _space, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            entries.append(
                CatalogEntry(
                    context=fields.get("msgctxt"),
                    msgid=fields["msgid"],
                    msgid_plural=fields.get("msgid_plural"),
                    msgstrs=tuple(fields[k] for k in sorted(fields) if k.startswith("msgstr")),
                    flags=frozenset(flags),
                )
            )
    return entries


def placeholders(text: str) -> tuple[Counter, list[str]]:
    """Named placeholders (any order) and positional ones (in order) in ``text``."""
    named, positional = Counter(), []
    for match in PLACEHOLDER.finditer(text.replace("%%", "")):
        if match["positional"]:
            positional.append(match["positional"])
        else:
            named[match["name"] or match["field"]] += 1
    return named, positional


def _python_strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in KEYWORDS:
            continue
        context_at, msgid_at = KEYWORDS[name]
        args = node.args
        if len(args) <= msgid_at or not _is_text(args[msgid_at]):
            continue
        context = args[context_at].value if context_at is not None else None
        yield f"{path.relative_to(BASE_DIR)}:{node.lineno}", context, args[msgid_at].value


def _is_text(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _template_strings(path: Path):
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in TEMPLATE_CALL.finditer(source):
        context_at, msgid_at = KEYWORDS[match["name"]]
        args = [ast.literal_eval(literal) for literal in re.findall(_LITERAL, match["args"])]
        context = args[context_at] if context_at is not None else None
        yield str(path.relative_to(BASE_DIR)), context, args[msgid_at]


def source_strings():
    """Every (where, context, msgid) the project marks for translation."""
    for directory in SOURCE_DIRS:
        for path in sorted(directory.rglob("*.py")):
            yield from _python_strings(path)
    seen = set()
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            if path not in seen:
                seen.add(path)
                yield from _template_strings(path)


@pytest.fixture(scope="module")
def catalog() -> list[CatalogEntry]:
    return read_catalog(CATALOG_DIR / "django.po")


# --- The catalog ------------------------------------------------------------------------------


def test_every_message_has_an_english_translation(catalog):
    assert len(catalog) > 400
    untranslated = [entry.msgid for entry in catalog if not all(s.strip() for s in entry.msgstrs)]
    fuzzy = [entry.msgid for entry in catalog if "fuzzy" in entry.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy (check and clear the flag): {fuzzy}"


def test_translations_are_english_not_copies_of_the_chinese(catalog):
    han = re.compile(r"[\u4e00-\u9fff]")
    # A msgid copied into its msgstr, or half-translated text, still holds Han characters.
    chinese = [entry.msgid for entry in catalog if any(han.search(s) for s in entry.msgstrs)]
    assert not chinese


def test_every_translation_keeps_its_placeholders(catalog):
    broken = []
    for entry in catalog:
        expected = placeholders(entry.msgid)
        if entry.msgid_plural:
            assert placeholders(entry.msgid_plural) == expected, entry.msgid
            assert len(entry.msgstrs) == 2, entry.msgid
        for msgstr in entry.msgstrs:
            if placeholders(msgstr) != expected:
                broken.append((entry.msgid, msgstr))
    assert not broken


def test_placeholder_check_catches_a_lost_or_renamed_placeholder():
    assert placeholders("第 %(number)s 页，共 %(total)s 页") == placeholders(
        "Page %(number)s of %(total)s"
    )
    assert placeholders("第 %(number)s 页，共 %(total)s 页") != placeholders("Page %(number)s")
    assert placeholders("共 %(total)s 篇") != placeholders("%(count)s articles")
    assert placeholders("无法连接：%s") != placeholders("Cannot connect: %d")
    assert placeholders("进度（%）") == placeholders("Progress (%)")


def test_every_string_marked_in_the_code_is_in_the_catalog(catalog):
    translated = {(entry.context, entry.msgid) for entry in catalog if all(entry.msgstrs)}
    marked = list(source_strings())
    missing = sorted(
        f"{where}: {msgid}"
        for where, context, msgid in marked
        if (context, msgid) not in translated
    )
    assert len(marked) > 400
    assert not missing, (
        f"strings missing from locale/en: run {MAKEMESSAGES}, translate them, then run "
        f"{COMPILEMESSAGES}\n" + "\n".join(missing)
    )


def test_compiled_catalog_matches_the_po_file(catalog):
    with (CATALOG_DIR / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalog:
        if entry.msgid_plural:
            found = tuple(compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2))
        elif entry.context:
            found = (compiled.pgettext(entry.context, entry.msgid),)
        else:
            found = (compiled.gettext(entry.msgid),)
        if found != entry.msgstrs:
            stale.append(entry.msgid)
    assert not stale, f"django.mo is older than django.po (run {COMPILEMESSAGES}): {stale}"


# --- Public pages -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache_and_language():
    # Whole pages are cached per language; start every test from an empty cache.
    cache.clear()
    yield
    cache.clear()
    # The language middleware leaves the last request's language active in this thread;
    # the tests that run next expect the default (Chinese).
    translation.deactivate()


@dataclass
class PublicSite:
    home: HomePage
    column: ColumnPage
    article: ArticlePage


@pytest.fixture
def public_site(db) -> PublicSite:
    home = HomePage(title="双拥专栏", slug="english-home", intro="示范县双拥工作的窗口。")
    Page.get_first_root_node().add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    column = ColumnPage(title="双拥动态", slug="news", show_in_menus=True)
    home.add_child(instance=column)
    column.save_revision().publish()
    theme = Theme.objects.create(name="拥军优属", slug="support-army")
    articles = []
    for number, title in enumerate(["八一走访慰问驻地官兵", "征兵宣传进校园"], start=1):
        article = ArticlePage(
            title=title,
            slug=f"article-{number}",
            summary="县领导走访慰问驻地部队官兵和优抚对象。",
            source="县融媒体中心",
            author="王丽",
            body=[("paragraph", RichText("<p>送去节日的问候。</p>"))],
            publication_date=timezone.make_aware(datetime.datetime(2025, 8, 1, 9, 30)),
        )
        column.add_child(instance=article)
        article.themes.set([theme])
        article.save_revision().publish()
        articles.append(ArticlePage.objects.get(pk=article.pk))
    KeyDate.objects.create(name="全民国防教育日", month=9, weekday=5, week_of_month=3)
    return PublicSite(home, column, articles[0])


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_html(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_page_in_english_with_the_cookie_and_chinese_without(public_site, client):
    chinese = page_html(client, "/")
    assert '<html lang="zh-Hans">' in chinese
    assert "跳到正文" in chinese and "栏目导航" in chinese and "重要节点" in chinese
    assert "更多双拥动态" in chinese and "星期六" in chinese

    # The same address in English: the page cache keeps one copy per language.
    html = page_html(english(client), "/")
    assert '<html lang="en">' in html
    assert "Skip to content" in html and "Search this site" in html
    assert "Key date" in html and "Saturday" in html
    assert "More in 双拥动态" in html
    assert "Military–Civilian Support Column RSS" in html
    assert "跳到正文" not in html and "星期六" not in html


def test_column_page_in_english(public_site, client):
    url = public_site.column.url
    chinese = page_html(client, url)
    assert "共 2 篇文章" in chinese and "按主题筛选" in chinese and "2025年8月1日" in chinese

    html = page_html(english(client), url)
    assert "2 articles" in html and "Filter by theme" in html and "Themes:" in html
    assert "August 1, 2025" in html
    assert "共 2 篇文章" not in html


def test_article_page_in_english(public_site, client):
    url = public_site.article.url
    chinese = page_html(client, url)
    assert "来源：县融媒体中心" in chinese and "2025年8月1日 09:30" in chinese

    html = page_html(english(client), url)
    assert "Source: 县融媒体中心" in html and "Author: 王丽" in html
    assert "August 1, 2025 09:30" in html and "Summary" in html and "Themes:" in html
    assert "来源：" not in html


def test_search_page_in_english(public_site, client):
    chinese = page_html(client, "/search/", q="征兵")
    assert "“征兵”共找到 1 条结果" in chinese and "站内搜索" in chinese

    english(client)
    html = page_html(client, "/search/", q="征兵")
    assert "1 result for “征兵”" in html and "Site search" in html and "Article" in html
    assert "2 results for “慰问”" in page_html(client, "/search/", q="慰问")
    empty = client.get("/search/", {"q": "，。！"})
    assert "Please enter Chinese or English words to search for." in empty.content.decode()
    too_long = client.get("/search/", {"q": "拥" * 200})
    assert too_long.status_code == 400
    assert "The search is too long (200 characters)" in too_long.content.decode()


def test_an_unknown_or_hostile_language_cookie_falls_back_to_chinese(public_site, client):
    for value in ["fr", "en-GB", "'\"><script>alert(1)</script>", "x" * 300]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = value
        response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="zh-Hans">' in html and "跳到正文" in html
        assert response.headers["Content-Language"] == "zh-hans"
        assert "<script>alert(1)</script>" not in html


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(public_site):
    wechat = Outlet.objects.create(name="示范县发布", kind=Outlet.Kind.WECHAT)
    led = Outlet.objects.create(name="文化广场大屏", kind=Outlet.Kind.LED_SCREEN)
    screen = Screen.objects.create(outlet=led, width=192, height=64, colour_mode="single")
    Campaign.objects.create(
        name="八一慰问宣传",
        slug="bayi",
        starts_on=datetime.date(2025, 7, 20),
        ends_on=datetime.date(2025, 8, 5),
    )
    placement = Placement.objects.create(
        page=public_site.article,
        outlet=wechat,
        due_at=timezone.make_aware(datetime.datetime(2030, 8, 1, 9, 30)),
    )
    return {"screen": screen, "placement": placement}


ADMIN_PAGES = {
    # name: (url builder, English strings, Chinese strings)
    "outlets": (
        lambda s: reverse("media_schedule_outlet:index"),
        ["Outlet type", "Counts as medium", "WeChat official account", "Online (information)"],
        ["渠道类型", "计入媒介", "微信公众号", "网络（信息）"],
    ),
    "placements": (
        lambda s: reverse("media_schedule_placement:index"),
        ["Scheduled time", "Last error", "Planned"],
        ["计划时间", "最近错误", "计划中"],
    ),
    "placement history": (
        lambda s: reverse("media_schedule_placement:inspect", args=[s["placement"].pk]),
        ["Sending history", "No sending records yet.", "示范县发布 @ August 1, 2030 09:30"],
        ["发送记录", "尚无发送记录。", "示范县发布 @ 2030年08月01日 09:30"],
    ),
    "screens": (
        lambda s: reverse("led_admin:index"),
        ["Register a screen", "Current package", "Never pulled", "Not built yet"],
        ["登记显示屏", "当前节目包", "从未拉取", "尚未生成"],
    ),
    "screen": (
        lambda s: reverse("led_admin:screen", args=[s["screen"].pk]),
        ["Export package", "Build and export", "Package versions", "Never pulled."],
        ["导出节目包", "生成并导出", "节目包版本", "从未拉取。"],
    ),
    "screen register": (
        lambda s: reverse("led_screens:index"),
        ["文化广场大屏 (192×64, Single colour)", "Controller vendor"],
        ["文化广场大屏（192×64，单色）", "控制卡厂家"],
    ),
    "key date snippets": (
        lambda s: "/admin/snippets/publicity/keydate/",
        ["全民国防教育日", "Third Saturday of September", "Days of publicity beforehand"],
        ["9月第三个星期六", "提前宣传天数"],
    ),
    "campaign snippets": (
        lambda s: "/admin/snippets/publicity/campaign/",
        ["八一慰问宣传", "Start date", "End date", "July 20, 2025"],
        ["开始日期", "结束日期"],
    ),
}


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.cn", "x")


@pytest.mark.parametrize("name", list(ADMIN_PAGES))
def test_admin_page_follows_the_language_cookie(name, scheduled, client, editor):
    url_for, english_strings, chinese_strings = ADMIN_PAGES[name]
    url = url_for(scheduled)
    client.force_login(editor)

    chinese = page_html(client, url)
    assert 'lang="zh-hans"' in chinese
    for text in chinese_strings:
        assert text in chinese, (name, text)

    html = page_html(english(client), url)
    assert 'lang="en"' in html
    for text in english_strings:
        assert text in html, (name, text)
    for text in chinese_strings:
        assert text not in html, (name, text)


def test_admin_follows_the_editors_preferred_language_over_the_cookie(scheduled, client, editor):
    profile = UserProfile.get_for_user(editor)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(editor)

    html = page_html(client, reverse("media_schedule_placement:index"))
    assert "Scheduled time" in html and "计划时间" not in html

    profile.preferred_language = "zh-hans"
    profile.save()
    html = page_html(english(client), reverse("media_schedule_placement:index"))
    assert "计划时间" in html and "Scheduled time" not in html
