"""The schedule preview in Chromium, as the scheduler sees it: the WeChat card with its cover
cut to 2.35:1, the article at phone width, the LED frames at the screen's pixels, enlarged
without blur. A screenshot is left in /tmp/ for a person to look at."""

import datetime
import io

import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image, ImageDraw
from wagtail.images import get_image_model

from media_schedule.channels.led.models import Screen
from media_schedule.models import Outlet
from tests.support.browser import chromium, log_in
from tests.support.roles import PASSWORD, user_in_role
from tests.support.wechat_pages import image_block, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/schedule-outlet-previews.png"


def picture(title: str, size=(1200, 800), focal=None):
    """A stored image with something to see: sky, ground and a gold star at the focal point."""
    width, height = size
    image = Image.new("RGB", size, (70, 130, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(60, 120, 60))
    cx, cy = (focal[0], focal[1]) if focal else (width // 2, height // 2)
    draw.regular_polygon((cx, cy, height // 6), 5, fill=(250, 200, 30))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    stored = get_image_model()(title=title, file=ImageFile(buffer, name=f"{title}.jpg"))
    if focal:
        (
            stored.focal_point_x,
            stored.focal_point_y,
            stored.focal_point_width,
            stored.focal_point_height,
        ) = focal
    stored.save()
    return stored


@pytest.fixture
def setting(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    wechat = Outlet.objects.create(
        name="示范县双拥公众号",
        kind=Outlet.Kind.WECHAT,
        config={"app_id": "wx1234567890abcdef", "account_name": "示范县双拥"},
        secret="app-secret-value",
    )
    led = Outlet.objects.create(name="县文化广场户外屏", kind=Outlet.Kind.LED_SCREEN)
    Screen.objects.create(outlet=led, width=192, height=64, colour_mode="dual")
    article = make_article(
        title="八一走访慰问驻地部队",
        summary="县领导带队走访慰问驻地部队官兵，送去节日的问候。",
        cover=picture("慰问封面", focal=(900, 260, 200, 200)),
        body=[
            {"type": "paragraph", "value": "<p>走访慰问活动在全县展开，各级领导深入军营。</p>"},
            image_block(picture("慰问现场", size=(800, 600)), caption="慰问现场"),
            {"type": "paragraph", "value": "<p>座谈会上，双方共叙鱼水深情。</p>"},
        ],
    )
    return article, wechat, led


def test_the_schedule_preview_shows_each_outlet_as_its_audience_sees_it(setting, live_server):
    article, wechat, led = setting
    user = user_in_role("排期员", username="scheduler")
    due = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    problems = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        log_in(page, live_server.url, user.username, PASSWORD)
        page.goto(f"{live_server.url}/admin/schedule/page/{article.pk}/")
        for row, outlet in enumerate((wechat, led)):
            page.select_option(f"select[name=outlet_{row}]", str(outlet.pk))
            page.fill(f"input[name=due_at_{row}]", due)
            page.keyboard.press("Escape")
        page.click("button[name=preview]")
        page.wait_for_load_state("networkidle")

        card = page.locator(f'[data-outlet="{wechat.pk}"] .wechat-card')
        assert card.locator(".wechat-card__title").inner_text() == "八一走访慰问驻地部队"
        cover = card.locator(".wechat-crop--wide")
        box = cover.bounding_box()
        assert abs(box["width"] / box["height"] - 2.35) < 0.05
        phone = page.locator(f'[data-outlet="{wechat.pk}"] .wechat-phone')
        assert phone.bounding_box()["width"] == 375
        board = page.locator(f'[data-outlet="{led.pk}"] .led-screen-preview__board')
        frames = board.locator("img:not(.led-screen-preview__original)")
        assert frames.count() == 2
        # The cover picture is shown as it was beside its frame on the screen.
        assert board.locator("img.led-screen-preview__original").count() == 1
        assert frames.first.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [192, 64]
        assert frames.first.evaluate("img => getComputedStyle(img).imageRendering") == "pixelated"
        # Every picture on the page has loaded (covers and body images come from this site).
        broken = page.evaluate(
            "[...document.querySelectorAll('.outlet-preview img')]"
            ".filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src)"
        )
        assert broken == []
        # The admin scrolls inside its own pane: a tall window shows all of it at once.
        page.set_viewport_size({"width": 1366, "height": 2400})
        page.locator(".schedule-previews").scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOT)
    assert problems == []
