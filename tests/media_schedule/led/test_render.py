"""Pixels: exact sizes, 1-bit single colour, the dual-colour palette, pictures."""

import io

import pytest
from PIL import Image

from media_schedule.channels.led.render import DUAL_PALETTE, LED_RGB, ScreenSpec, render_item
from media_schedule.channels.led.versions import InvalidVersion, parse_version
from media_schedule.channels.pictures import (
    FocalPoint,
    PictureError,
    crop_box,
    fit_picture,
    open_picture,
)

SCREENS = [
    ScreenSpec(64, 16, "single"),
    ScreenSpec(128, 32, "single"),
    ScreenSpec(192, 64, "single", "green"),
    ScreenSpec(96, 32, "dual"),
    ScreenSpec(1920, 1080, "full"),
]


def version(**data):
    return parse_version({"lines": ["军民团结一家亲", "强军兴军从我做起"], **data})


def png(image: Image.Image, fmt="PNG") -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("spec", SCREENS, ids=lambda s: f"{s.width}x{s.height}-{s.colour_mode}")
def test_every_frame_has_the_screens_exact_size(spec):
    picture = Image.new("RGB", (2400, 1600), (30, 90, 160))
    rendered = render_item(version(), spec, picture=picture)
    assert rendered.frames
    assert {frame.image.size for frame in rendered.frames} == {(spec.width, spec.height)}


@pytest.mark.parametrize("spec", SCREENS[:3], ids=lambda s: f"{s.width}x{s.height}")
def test_single_colour_frames_have_only_two_pixel_values(spec):
    picture = Image.linear_gradient("L").convert("RGB").resize((400, 300))
    rendered = render_item(version(), spec, picture=picture)
    for frame in rendered.frames:
        image = frame.image
        assert image.mode == "P"
        assert {value for _count, value in image.getcolors()} <= {0, 1}
        palette = image.getpalette()[:6]
        assert palette == [0, 0, 0, *LED_RGB[spec.led_colour]]
    lit = {v for f in rendered.frames for _c, v in f.image.getcolors()}
    assert lit == {0, 1}, "text and picture must light some dots"


def test_dual_colour_uses_the_red_green_yellow_palette():
    spec = ScreenSpec(96, 32, "dual")
    rainbow = Image.new("RGB", (300, 100))
    for x in range(300):
        for y in range(100):
            rainbow.putpixel((x, y), (255 * (x < 200), 255 * (x >= 100), 0))
    rendered = render_item(version(colour="green"), spec, picture=rainbow)
    allowed = {0, 1, 2, 3}
    for frame in rendered.frames:
        assert frame.image.mode == "P"
        assert {v for _c, v in frame.image.getcolors()} <= allowed
        assert frame.image.getpalette()[:12] == [c for rgb in DUAL_PALETTE for c in rgb]
    text_values = {v for f in rendered.segments[0].frames for _c, v in f.image.getcolors()}
    assert text_values == {0, 2}, "green text lights only green dots"
    picture_values = {v for _c, v in rendered.frames[-1].image.getcolors()}
    assert {1, 2, 3} <= picture_values


def test_full_colour_is_rgb_with_anti_aliased_outline_text():
    rendered = render_item(version(colour="yellow"), ScreenSpec(1920, 1080, "full"))
    image = rendered.frames[0].image
    assert image.mode == "RGB"
    assert len(image.getcolors(1_000_000)) > 2
    assert rendered.layout.face.size > 100


def test_scrolling_frames_move_the_text_and_warn_the_editor():
    spec = ScreenSpec(64, 16, "single")
    rendered = render_item(version(), spec)
    assert rendered.layout.scrolling
    frames = rendered.frames
    assert len(frames) > 50
    assert {frame.duration_ms for frame in frames} == {50}
    assert frames[10].image.tobytes() != frames[20].image.tobytes()
    assert any("滚动" in warning for warning in rendered.warnings)


def test_static_text_holds_for_the_dwell_time():
    rendered = render_item(version(dwell_seconds=12), ScreenSpec(192, 64, "single"))
    assert [frame.duration_ms for frame in rendered.frames] == [12_000]


def test_crop_keeps_the_focal_point_in_view():
    picture = Image.new("RGB", (3000, 1000), (0, 0, 0))
    picture.paste((255, 0, 0), (2500, 400, 2700, 600))
    focal = FocalPoint(2500, 400, 200, 200)
    box = crop_box(picture.size, (1920, 1080), focal)
    assert box[0] <= 2500 and box[2] >= 2700
    fitted = fit_picture(picture, (192, 108), mode="crop", focal=focal)
    assert fitted.size == (192, 108)
    red = [fitted.getpixel((x, 54))[0] for x in range(192)]
    assert max(red) > 200


def test_picture_smaller_than_the_screen_is_warned_about():
    rendered = render_item(
        version(), ScreenSpec(1920, 1080, "full"), picture=Image.new("RGB", (640, 360))
    )
    assert any("640×360" in warning for warning in rendered.warnings)


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png(Image.new("1", (12_000, 12_000)))
    with pytest.raises(PictureError, match="像素过多"):
        open_picture(bomb)


def test_only_png_jpeg_webp_and_gif_are_opened():
    with pytest.raises(PictureError, match="PNG、JPEG"):
        open_picture(png(Image.new("RGB", (50, 50)), "BMP"))
    with pytest.raises(PictureError):
        open_picture(io.BytesIO(b"not an image at all"))
    assert open_picture(png(Image.new("RGB", (50, 50)), "WEBP")).size == (50, 50)


def test_truncated_picture_is_a_clear_error():
    data = png(Image.effect_noise((400, 400), 60).convert("RGB"), "JPEG").getvalue()
    with pytest.raises(PictureError, match="损坏"):
        open_picture(io.BytesIO(data[: len(data) // 3]))


def test_bad_versions_report_every_problem_in_chinese():
    with pytest.raises(InvalidVersion) as caught:
        parse_version(
            {
                "lines": ["好", 3, ""],
                "dwell_seconds": 0,
                "valid_from": "2025-13-01",
                "day_parts": [{"start": "22:00", "end": "07:00"}],
                "priority": 12,
                "colour": "purple",
            }
        )
    fields = {problem.field for problem in caught.value.problems}
    assert fields == {"lines", "dwell_seconds", "valid_from", "day_parts", "priority", "colour"}
    with pytest.raises(InvalidVersion, match="至少需要一行标语"):
        parse_version({"lines": []})
    with pytest.raises(InvalidVersion):
        parse_version("军民团结")
