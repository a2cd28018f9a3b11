"""The admin is Chinese throughout: locale/zh_Hans supplies the Wagtail 8 strings that Wagtail's
own zh_Hans catalogs lack (server side in django.po, browser side in djangojs.po), and the
dashboard and listings show them without a language choice."""

import gettext
import json
import re
from pathlib import Path

import pytest
import wagtail
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page
from wagtail.users.models import UserProfile

from tests.site.test_english import CatalogEntry, placeholders, read_catalog
from tests.support.browser import CHROMIUM

BASE_DIR = Path(settings.BASE_DIR)
CATALOG_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
WAGTAIL_DIR = Path(wagtail.__file__).parent
COMPILEMESSAGES = (
    "manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=node_modules"
)
HTML_TAG = re.compile(r"<[^>]+>")
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER_TEXT = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def translated_keys(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of the entries of a .po file that carry a translation."""
    return {
        (entry.context, entry.msgid)
        for entry in read_catalog(path)
        if entry.msgstrs and all(entry.msgstrs) and "fuzzy" not in entry.flags
    }


DOMAINS = ["django", "djangojs"]


def wagtail_strings_without_chinese(domain: str) -> set[tuple[str | None, str]]:
    """Every Wagtail message of ``domain`` that its sibling zh_Hans catalog leaves untranslated."""
    missing = set()
    for english in sorted(WAGTAIL_DIR.glob(f"**/locale/en/LC_MESSAGES/{domain}.po")):
        chinese = english.parents[2] / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        known = translated_keys(chinese) if chinese.exists() else set()
        missing |= {(e.context, e.msgid) for e in read_catalog(english)} - known
    return missing


def words(text: str) -> set[str]:
    """English words of three letters or more in ``text``, leaving out placeholders, markup and
    the names that stay as they are in Chinese; short words such as "by" may become punctuation."""
    bare = HTML_TAG.sub(" ", PLACEHOLDER_TEXT.sub(" ", text))
    return {w for w in re.findall(r"[A-Za-z]{3,}", bare)} - {"Wagtail", "API", "JavaScript"}


def catalog_problems(entry: CatalogEntry) -> list[str]:
    """What is wrong with one Chinese entry: missing text, English left in, a placeholder lost
    or renamed, or HTML markup changed. Chinese has one plural form, so msgstr[0] serves every
    count and must carry the plural message's placeholders."""
    source = entry.msgid_plural or entry.msgid
    problems = []
    if len(entry.msgstrs) != 1 or not entry.msgstrs[0].strip():
        return ["untranslated"]
    msgstr = entry.msgstrs[0]
    if "fuzzy" in entry.flags:
        problems.append("fuzzy")
    if msgstr in (entry.msgid, entry.msgid_plural) or (words(source) and not HAN.search(msgstr)):
        problems.append("not Chinese")
    if placeholders(msgstr) != placeholders(source):
        problems.append("placeholders")
    if sorted(HTML_TAG.findall(msgstr)) != sorted(HTML_TAG.findall(entry.msgid)):
        problems.append("markup")
    return problems


@pytest.fixture(scope="module")
def catalog() -> list[CatalogEntry]:
    return read_catalog(CATALOG_DIR / "django.po")


# --- The catalogs -----------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_declares_chinese_with_one_plural_form(domain):
    text = (CATALOG_DIR / f"{domain}.po").read_text(encoding="utf-8")
    assert '"Language: zh_Hans\\n"' in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text


@pytest.mark.parametrize(("domain", "at_least"), [("django", 400), ("djangojs", 15)])
def test_every_wagtail_string_lacking_chinese_is_translated_here(domain, at_least):
    ours = {(entry.context, entry.msgid) for entry in read_catalog(CATALOG_DIR / f"{domain}.po")}
    missing = wagtail_strings_without_chinese(domain)
    assert len(missing) > at_least
    assert not missing - ours, sorted(m for _c, m in missing - ours)[:20]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_chinese_with_its_placeholders_and_markup(domain):
    entries = read_catalog(CATALOG_DIR / f"{domain}.po")
    broken = {entry.msgid: problems for entry in entries if (problems := catalog_problems(entry))}
    assert entries and not broken


@pytest.mark.parametrize(
    ("msgid", "msgid_plural", "msgstr", "problem"),
    [
        ("Saved", None, "", "untranslated"),
        ("Saved", None, "Saved", "not Chinese"),
        ("%(total)s Page", "%(total)s Pages", "页面", "placeholders"),
        ("Status %(status)s", None, "状态：%(state)s", "placeholders"),
        ("<b>'{title}' is locked</b>.", None, "“{title}”已被锁定。", "markup"),
        ("Item %(index)s of %(total)s", None, "第 %(index)s 项，共 %s 项", "placeholders"),
    ],
)
def test_catalog_check_catches_a_broken_entry(msgid, msgid_plural, msgstr, problem):
    entry = CatalogEntry(None, msgid, msgid_plural, (msgstr,), frozenset())
    assert problem in catalog_problems(entry)


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalog_matches_the_po_file(domain):
    with (CATALOG_DIR / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_catalog(CATALOG_DIR / f"{domain}.po"):
        if entry.msgid_plural:
            found = {compiled.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2, 40)}
        elif entry.context:
            found = {compiled.pgettext(entry.context, entry.msgid)}
        else:
            found = {compiled.gettext(entry.msgid)}
        if found != {entry.msgstrs[0]}:
            stale.append(entry.msgid)
    assert not stale, f"{domain}.mo is older than {domain}.po (run {COMPILEMESSAGES}): {stale}"


def test_the_browser_side_catalog_is_chinese(client):
    script = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\n  \});", script, re.S).group(1))
    assert catalog["Autosave in progress…"] == "正在自动保存…"
    assert catalog["Insert a block"] == "插入内容块"
    assert catalog["%(num)s error"] == ["%(num)s 个错误"]


# --- The admin, with no language chosen -------------------------------------------------------


def test_dashboard_is_chinese_without_a_language_cookie(admin_client):
    assert settings.LANGUAGE_COOKIE_NAME not in admin_client.cookies
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'placeholder="搜索所有页面…"' in html
    assert "Search all pages" not in html
    assert "编辑指南" in html
    assert "editor guide" not in html
    assert "个页面" in html
    assert re.search(r"\d+ Pages?\b", html) is None


def test_page_listing_filters_are_chinese(admin_client):
    root = Page.get_first_root_node()
    html = admin_client.get(reverse("wagtailadmin_explore", args=[root.pk])).content.decode()
    for chinese, english in [
        ("页面类型", "Page type"),
        ("有子页面", "Has child pages"),
        ("更新日期", "Date updated"),
        ("编辑者", "Edited by"),
    ]:
        assert chinese in html
        assert f">{english}<" not in html


def test_image_listing_is_chinese(admin_client):
    html = admin_client.get(reverse("wagtailimages:index")).content.decode()
    for chinese, english in [
        ("网格布局", "Grid layout"),
        ("列表布局", "List layout"),
        ("使用次数：（从高到低）", "Usage count: (high to low)"),
    ]:
        assert chinese in html
        assert english not in html


def test_english_stays_available_to_an_editor_who_asks_for_it(db, client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "secret-pw-1")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Search all pages" in html
    assert "搜索所有页面" not in html


@pytest.mark.browser
def test_dashboard_and_page_explorer_show_no_english_in_a_browser(live_server, tmp_path, catalog):
    playwright_api = pytest.importorskip("playwright.sync_api")
    get_user_model().objects.create_superuser("editor", "editor@example.com", "secret-pw-1")
    # Texts of at least two words, so that a shared word such as "Wagtail" is no false alarm.
    english = {entry.msgid for entry in catalog if not HTML_TAG.search(entry.msgid)}
    english = {text for text in english if " " in text and "%" not in text and "{" not in text}
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", "secret-pw-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        seen = {}
        for name, path in [("dashboard", "/admin/"), ("explorer", "/admin/pages/")]:
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
            seen[name] = page.inner_text("body") + page.content()
        browser.close()
    assert 'placeholder="搜索所有页面…"' in seen["dashboard"]
    left = {name: sorted(t for t in english if t in text) for name, text in seen.items()}
    assert left == {"dashboard": [], "explorer": []}
