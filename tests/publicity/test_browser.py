"""The public pages in real headless Chromium: no console errors, no serious or critical
axe-core violations, at phone (375 px) and desktop (1280 px) widths."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from publicity.models import ArticlePage, ExemplarPage
from tests.support.browser import chromium

# One test holds every check: the live server needs committed rows, and the flush after a
# transactional test also removes what migrations created (the root page), so the demo
# site is built once here.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}


# Started after the database fixtures: Playwright's event loop, running in this thread
# while serialized rollback restores the migrations' rows, leaves the tree unrestored.
@pytest.fixture
def browser(demo_paths):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (scripts/test does it).")
    with chromium() as browser:
        yield browser


@pytest.fixture
def demo_paths(transactional_db):
    call_command("load_demo_content", stdout=open(os.devnull, "w"))  # noqa: SIM115
    article = ArticlePage.objects.live().get(slug="article-001")
    return {
        "home": "/",
        "column": "/shuangyong-news/",
        "article": article.url,
        "exemplar": ExemplarPage.objects.live().first().url,
        "gallery": "/exemplars/",
        "search": "/search/?q=拥军",
    }


def _serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_public_pages_in_chromium(browser, live_server, demo_paths):
    failures = {}
    for width in WIDTHS:
        failures.update(_check_pages(browser, live_server, demo_paths, width))
    assert failures == {}
    _search_and_switch_language(browser, live_server)


def _check_pages(browser, live_server, demo_paths, width) -> dict:
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    # axe-core goes in as an inline script, which the pages' Content-Security-Policy refuses;
    # tests/site/test_security_headers.py checks the pages under the policy.
    context = browser.new_context(
        viewport=dict(zip(("width", "height"), WIDTHS[width], strict=True)), bypass_csp=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    failures = {}
    for name, path in demo_paths.items():
        problems.clear()
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        page.wait_for_load_state("networkidle")
        # Bring lazy images in so the screenshot (and axe) see the whole page.
        page.evaluate(
            """async () => {
                for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
                    window.scrollTo(0, y);
                    await new Promise((resolve) => setTimeout(resolve, 50));
                }
            }"""
        )
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
        violations = _serious_violations(page)
        horizontal_scroll = page.evaluate(
            "document.documentElement.scrollWidth > window.innerWidth"
        )
        if problems or violations or horizontal_scroll:
            failures[f"{name}-{width}"] = {
                "console": list(problems),
                "axe": violations,
                "overflow": horizontal_scroll,
            }
    context.close()
    return failures


def _search_and_switch_language(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.fill("#site-search-q", "拥军")
    page.click(".site-search button")
    page.wait_for_load_state("networkidle")
    assert page.locator(".search-results mark").first.inner_text() == "拥军"
    page.click(".lang-switch button")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    context.close()
