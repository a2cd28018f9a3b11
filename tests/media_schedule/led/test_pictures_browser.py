"""In a real browser: an operator sees a picture's original beside the screen's dots, and
uploads a controller's play log and reads which lines were refused."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from PIL import Image
from playwright.sync_api import expect
from wagtail.images import get_image_model

from media_schedule.channels.led import services
from publicity.demo.images import draw_cover
from tests.support.browser import chromium, log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_operator_compares_a_picture_and_uploads_a_play_log(
    live_server, make_screen, deliver_placement, tmp_path
):
    operator = get_user_model().objects.create_user("yunwei", password="secret-pw-1")
    operator.groups.add(Group.objects.get(name="显示屏操作员"))
    image = get_image_model().objects.create(
        title="双拥共建",
        file=ImageFile(io.BytesIO(draw_cover("双拥共建 军民同心", 2)), name="cover.jpg"),
    )
    screen = make_screen(192, 64)
    placement = deliver_placement(screen, {"lines": ["军民团结一家亲"], "picture_id": image.pk})
    services.screen_package_refresh(screen=screen)
    log = tmp_path / "play-log.csv"
    log.write_text(
        "条目,开始,结束,次数\n"
        f"placement-{placement.pk},2026-11-28 08:00:00,2026-11-28 08:00:16,1\n"
        f"placement-{placement.pk},昨天早上,2026-11-28 08:00:16,1\n",
        encoding="utf-8",
    )

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, live_server.url, "yunwei", "secret-pw-1")
        page.goto(f"{live_server.url}/admin/led/screens/{screen.pk}/")
        original = page.locator("img[alt='原图']")
        converted = page.locator("img[alt='屏上效果']")
        expect(original).to_be_visible()
        expect(converted).to_be_visible()
        for img in (original, converted):
            page.wait_for_function(
                "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
            )
            assert img.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [192, 64]
        expect(page.get_by_text("图片：左为原图，右为屏上效果")).to_be_visible()
        left, right = original.bounding_box(), converted.bounding_box()
        assert left["x"] + left["width"] <= right["x"] and left["y"] == right["y"]
        original.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "screen-picture.png"))
        shown = Image.open(tmp_path / "screen-picture.png")
        assert shown.size == (1280, 900)

        page.click("text=播放记录与播放日志上传")
        page.set_input_files("input[name=log]", str(log))
        page.click("button:has-text('上传')")
        expect(page.get_by_text("读取 2 行：新记录 1 条，重复（已有）0 条。")).to_be_visible()
        expect(page.get_by_text("第 3 行：start 不是有效的时间：昨天早上")).to_be_visible()
        expect(page.locator("table.listing tbody tr")).to_have_count(1)
        expect(page.locator("table.listing")).to_contain_text("v1")
        expect(page.get_by_text("不在节目包中")).to_have_count(0)
        page.screenshot(path=str(tmp_path / "play-log.png"), full_page=True)
