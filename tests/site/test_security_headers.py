"""Content-Security-Policy on public pages (fresh or from the page cache) and Permissions-Policy
on every response; the public pages run in Chromium under the policy without a violation."""

import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from outreach_site.middleware import content_security_policy
from publicity.models import ArticlePage
from tests.support.browser import chromium

CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
PERMISSIONS = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=(), fullscreen=(self)"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return {
        "home": "/",
        "column": "/shuangyong-news/",
        "article": ArticlePage.objects.live().get(slug="article-001").url,
        "search": "/search/?q=拥军",
    }


# --- Headers --------------------------------------------------------------------------------


def test_the_policy_allows_the_site_itself_and_nothing_inline():
    assert content_security_policy() == CSP


@pytest.mark.django_db(transaction=True)
def test_public_pages_carry_both_headers_fresh_and_from_the_page_cache(client, demo):
    for name, path in demo.items():
        fresh = client.get(path)
        cached = client.get(path)

        assert fresh.status_code == 200, name
        assert (fresh["Content-Security-Policy"], fresh["Permissions-Policy"]) == (CSP, PERMISSIONS)
        if name != "search":
            assert cached["X-Page-Cache"] == "hit", name
        assert (cached["Content-Security-Policy"], cached["Permissions-Policy"]) == (
            CSP,
            PERMISSIONS,
        )


@pytest.mark.django_db
def test_error_pages_feeds_and_the_sitemap_carry_the_policy(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Security-Policy"] == CSP
    assert response["Permissions-Policy"] == PERMISSIONS
    # Data documents: nothing may load or run; a browser's XML tree view may style them.
    for path in ["/feeds/rss.xml", "/feeds/atom.xml", "/sitemap.xml"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
        ), path
        assert response["Permissions-Policy"] == PERMISSIONS, path
    # Asked again with its ETag: the 304 leaves the policy the browser stored alone.
    again = client.get("/sitemap.xml", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again


@pytest.mark.django_db
def test_the_admin_has_no_policy_but_keeps_the_permissions_header(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Permissions-Policy"] == PERMISSIONS


@pytest.mark.django_db
def test_a_response_with_its_own_policy_keeps_it(client, settings, tmp_path):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    settings.MEDIA_ROOT = tmp_path
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"
    document = Document.objects.create(title="名单", file=ContentFile(b"<b>x</b>", name="list.txt"))

    response = client.get(document.url)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.django_db
def test_report_only_mode_and_uploads_on_another_host(settings):
    settings.CSP_REPORT_ONLY = True
    settings.MEDIA_URL = "https://files.example.cn/media/"
    settings.CSP_FRAME_SRC = ["https://player.example.cn"]

    response = Client().get("/no-such-page/")

    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == (
        "default-src 'self'; img-src 'self' data: https://files.example.cn; "
        "media-src 'self' https://files.example.cn; frame-src 'self' https://player.example.cn; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )


# --- In the browser -------------------------------------------------------------------------

# Collects the policy's violation reports from the first moment of every document.
VIOLATION_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def browser(demo):
    with chromium() as browser:
        yield browser


def _visit(page, url) -> tuple[dict, list[str]]:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    return response.all_headers(), page.evaluate("window.__violations")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_render_in_chromium_without_a_violation(browser, live_server, demo):
    context = browser.new_context()
    context.add_init_script(VIOLATION_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text) if message.type in {
        "error", "warning"} else None)  # fmt: skip
    page.on("pageerror", lambda error: console.append(str(error)))
    found = {}
    for name, path in demo.items():
        for visit in ("fresh", "cached"):
            console.clear()
            headers, violations = _visit(page, live_server.url + path)
            assert headers["content-security-policy"] == CSP, (name, visit)
            assert headers["permissions-policy"] == PERMISSIONS, (name, visit)
            if violations or console:
                found[f"{name} ({visit})"] = violations + console
    # The search form and the language switch post and get within the policy too.
    page.goto(live_server.url + "/")
    page.fill("#site-search-q", "拥军")
    page.click(".site-search button")
    page.wait_for_load_state("networkidle")
    page.click(".lang-switch button")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    if page.evaluate("window.__violations") or console:
        found["search and language"] = page.evaluate("window.__violations") + console
    # The policy is enforced, and a violation would have been seen: an injected inline
    # script does not run and is reported.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ran = true";
            document.body.append(script);
        }"""
    )
    ran, reported = page.evaluate("[window.__ran === true, window.__violations]")
    context.close()

    assert found == {}
    assert (ran, reported) == (False, ["script-src-elem inline"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_sees_public_pages_with_the_userbar_without_a_violation(
    browser, live_server, demo
):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "", "correct-horse-battery-staple")
    context = browser.new_context()
    context.add_init_script(VIOLATION_LISTENER)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    found = {}
    for name in ("home", "article"):
        headers, violations = _visit(page, live_server.url + demo[name])
        page.wait_for_selector("wagtail-userbar", state="attached")
        assert headers["content-security-policy"] == CSP
        if violations:
            found[name] = violations
    context.close()

    assert found == {}
