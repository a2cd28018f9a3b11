"""Pictures on one-colour screens: threshold, ordered or error-diffusion dots, chosen per
picture by what keeps it legible; a warning when it will not read; the preview shows the
original beside the converted picture."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.images import get_image_model

from media_schedule.channels.led.adapter import problems_on_screen
from media_schedule.channels.led.preview import render_preview
from media_schedule.channels.led.render import (
    DIFFUSION,
    ORDERED,
    THRESHOLD,
    ScreenSpec,
    legibility_loss,
    one_colour_candidates,
    one_colour_picture,
    render_item,
)
from media_schedule.channels.led.versions import parse_version
from media_schedule.channels.pictures import fit_picture


def photo(size=(800, 600)) -> Image.Image:
    """Soft tones: a lit face against a graded background."""
    image = Image.radial_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] * 3 // 4), fill=(200, 180, 160))
    return image


def logo() -> Image.Image:
    """Flat shapes in two tones, like an emblem or a sign."""
    image = Image.new("RGB", (400, 200), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((50, 50, 150, 150), fill=(255, 255, 255))
    draw.polygon([(250, 20), (350, 180), (200, 120)], fill=(230, 230, 230))
    return image


def noise() -> Image.Image:
    return Image.effect_noise((400, 200), 80).convert("RGB")


def grey(image, size):
    return fit_picture(image, size).convert("L")


def test_each_method_gives_only_lit_and_dark_dots():
    for dots in one_colour_candidates(grey(photo(), (192, 64))).values():
        assert set(dots.tobytes()) <= {0, 255}
        assert dots.size == (192, 64)


def test_a_photo_is_dithered_and_keeps_more_of_its_tones_than_a_threshold():
    picture = grey(photo(), (192, 64))
    candidates = one_colour_candidates(picture)
    _dots, method, loss = one_colour_picture(picture)

    assert method in (ORDERED, DIFFUSION)
    assert loss < legibility_loss(picture, candidates[THRESHOLD])


def test_a_flat_logo_keeps_its_crisp_threshold_shapes():
    picture = grey(logo(), (192, 64))
    dots, method, _loss = one_colour_picture(picture)
    assert method == THRESHOLD
    # The square's inside is solid: no dither pattern inside a flat shape.
    square = dots.crop((30, 20, 50, 40))
    assert set(square.tobytes()) == {255}


@pytest.mark.parametrize("spec", [ScreenSpec(192, 64, "single"), ScreenSpec(64, 32, "single")])
def test_noise_will_not_read_and_the_editor_is_warned(spec):
    rendered = render_item(parse_version({"lines": ["双拥"]}), spec, picture=noise())
    assert any("难以辨认" in warning for warning in rendered.warnings)


def test_a_photo_that_reads_is_not_warned_about():
    rendered = render_item(
        parse_version({"lines": ["双拥"]}), ScreenSpec(192, 64, "single"), picture=photo()
    )
    assert not any("难以辨认" in warning for warning in rendered.warnings)
    picture = rendered.segments[-1]
    assert picture.method in (ORDERED, DIFFUSION)
    assert picture.original.size == (192, 64) and picture.original.mode == "RGB"
    assert {value for _count, value in picture.stills[0].image.getcolors()} == {0, 1}


@pytest.mark.django_db
def test_the_preview_shows_the_original_beside_the_converted_picture(make_screen):
    buffer = io.BytesIO()
    photo().save(buffer, format="PNG")
    image = get_image_model().objects.create(
        title="慰问老兵", file=ImageFile(io.BytesIO(buffer.getvalue()), name="visit.png")
    )
    screen = make_screen(192, 64, "single")

    html = render_preview(
        {"lines": ["走访慰问"], "picture_id": image.pk, "dwell_seconds": 6}, outlet=screen.outlet
    )

    assert "左为原图" in html
    assert re.search(r'<img [^>]*src="data:image/png;base64,[^"]+"[^>]*alt="原图"', html)
    assert html.count("<img") == 3  # the text, then the picture's original and its dots


@pytest.mark.django_db
def test_the_editor_sees_the_legibility_warning_on_the_picture_field(make_screen):
    buffer = io.BytesIO()
    noise().save(buffer, format="PNG")
    image = get_image_model().objects.create(
        title="噪点", file=ImageFile(io.BytesIO(buffer.getvalue()), name="noise.png")
    )
    screen = make_screen(192, 64, "single")

    problems = problems_on_screen(
        parse_version({"lines": ["双拥"], "picture_id": image.pk}), screen
    )

    assert [(p.field, p.severity) for p in problems] == [("picture_id", "warning")]
    assert "难以辨认" in problems[0].message


def test_a_photo_on_a_sixteen_row_module_is_warned_about_but_a_flat_logo_is_not():
    spec = ScreenSpec(64, 16, "single")
    version = parse_version({"lines": ["双拥"]})

    on_photo = render_item(version, spec, picture=photo()).warnings
    on_logo = render_item(version, spec, picture=logo()).warnings

    assert on_photo == [
        "屏幕只有 16 行像素，照片在 64×16 的屏上只剩一片点阵，难以辨认，"
        "建议换用轮廓简单的大图形，或改用文字。"
    ]
    assert on_logo == []


def test_a_photo_on_a_small_two_colour_module_is_warned_about_too():
    warnings = render_item(
        parse_version({"lines": ["双拥"]}), ScreenSpec(64, 16, "dual"), picture=photo()
    ).warnings
    assert any("只有 16 行像素" in warning for warning in warnings)
    assert not render_item(
        parse_version({"lines": ["双拥"]}), ScreenSpec(96, 32, "dual"), picture=photo()
    ).warnings
