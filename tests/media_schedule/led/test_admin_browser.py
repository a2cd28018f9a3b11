"""In a real browser: the export button starts a worker job and the progress bar follows it."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect, sync_playwright

from tests.support.browser import CHROMIUM


@pytest.mark.browser
@pytest.mark.worker
def test_export_progress_bar_ends_with_a_download_link(
    live_server, celery_worker, make_screen, deliver_placement, settings
):
    settings.MEDIA_ROOT = settings.VAR_DIR / "media"
    get_user_model().objects.create_superuser("editor", "editor@example.com", "secret-pw-1")
    screen = make_screen(192, 64)
    for text in [
        "军民团结一家亲",
        "全民国防教育日主题活动在县文化广场举行，驻地官兵进行装备展示，现场发放宣传资料三千余份，欢迎广大市民踊跃参加",
    ]:
        deliver_placement(screen, {"lines": [text]})

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**CHROMIUM)
        page = browser.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", "editor")
        page.fill("input[name=password]", "secret-pw-1")
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/admin/led/screens/{screen.pk}/")

        dots = page.locator("img[alt='点阵放大预览']").first
        expect(dots).to_be_visible()
        assert page.evaluate("img => img.naturalWidth", dots.element_handle()) == 192 * 5
        page.click("text=生成并导出")
        expect(page.locator("progress")).to_be_visible()
        link = page.locator("[data-led-result] a")
        expect(link).to_contain_text("下载第 1 版节目包", timeout=90_000)
        assert page.locator("progress").evaluate("bar => bar.value") == 100
        browser.close()
