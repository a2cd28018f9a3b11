"""The poster files: a PDF at the board's exact size with embedded Noto CJK faces, and a PNG
proof of the same layout."""

import io
import re

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from media_schedule.channels.bulletin_board import version as poster_version
from media_schedule.channels.bulletin_board.board import Board
from media_schedule.channels.bulletin_board.layout import TITLE_INK, Text

pytestmark = pytest.mark.django_db

POINTS_PER_MM = 72 / 25.4
CJK = re.compile(r"[\u4e00-\u9fff]")


def render(files, suffix: str) -> bytes:
    [file] = [file for file in files if file.name.endswith(suffix)]
    return file.render()


def base_fonts(page) -> set[str]:
    fonts = page["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in fonts.values()}


def test_files_are_a_pdf_to_print_and_a_png_proof(channel, article, make_board):
    files = channel.files(channel.build_version(article), outlet=make_board(), page=article)

    assert [(file.name, file.label, file.content_type) for file in files] == [
        (
            f"bulletin-board-poster-{article.pk}-2250x1050mm.pdf",
            "印刷用海报 PDF（2250 × 1050 毫米）",
            "application/pdf",
        ),
        (f"bulletin-board-poster-{article.pk}-2250x1050mm.png", "海报校样 PNG", "image/png"),
    ]


def test_the_pdf_is_the_board_size_with_the_title_in_noto_cjk(channel, article, make_board):
    files = channel.files(channel.build_version(article), outlet=make_board(), page=article)

    reader = PdfReader(io.BytesIO(render(files, ".pdf")))

    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(2250 * POINTS_PER_MM, abs=1)
    assert float(page.mediabox.height) == pytest.approx(1050 * POINTS_PER_MM, abs=1)
    assert float(page.mediabox.width) == pytest.approx(6377.95, abs=1)
    assert float(page.mediabox.height) == pytest.approx(2976.38, abs=1)
    text = "".join(page.extract_text().split())
    assert "我县开展八一走访慰问活动" in text
    assert "慰问组一行先后来到驻地部队营区。" in text
    assert len(CJK.findall(text)) > 50
    # Subset names such as "/DFCEGX+Noto-Sans-CJK-SC-Bold": the Simplified Chinese faces.
    fonts = {font.split("+")[-1].replace("-", "") for font in base_fonts(page)}
    assert fonts == {"NotoSansCJKSCBold", "NotoSansCJKSC", "NotoSerifCJKSCBold"}
    # The cover is in the poster.
    images = [
        xobject
        for xobject in page["/Resources"]["/XObject"].values()
        if xobject.get_object()["/Subtype"] == "/Image"
    ]
    assert images


def test_a_portrait_board_gives_a_portrait_page(channel, make_board):
    version = {"title": "全民国防教育日", "text": "国防教育，从我做起。", "header": "双拥专栏"}

    files = channel.files(version, outlet=make_board(1050, 2250))
    page = PdfReader(io.BytesIO(render(files, ".pdf"))).pages[0]

    assert float(page.mediabox.width) == pytest.approx(2976.38, abs=1)
    assert float(page.mediabox.height) == pytest.approx(6377.95, abs=1)
    assert "全民国防教育日" in "".join(page.extract_text().split())


@pytest.mark.parametrize(("width", "height"), [(2250, 1050), (1050, 2250), (3000, 800)])
def test_the_png_has_the_board_shape_and_the_title_drawn(channel, make_board, width, height):
    version = {
        "title": "我县开展八一走访慰问活动",
        "text": "县委、县政府领导走访慰问驻地部队官兵和优抚对象。",
        "header": "双拥专栏",
        "footer": "示范县双拥办 · 2025年8月1日",
    }
    files = channel.files(version, outlet=make_board(width, height))

    proof = Image.open(io.BytesIO(render(files, ".png")))

    assert proof.format == "PNG"
    assert max(proof.size) == 2400
    assert proof.width / proof.height == pytest.approx(width / height, rel=0.01)
    assert max(ImageStat.Stat(proof.convert("L")).stddev) > 20
    # The title's line is drawn in the title's red where the layout put it.
    laid_out = poster_version.poster(version, Board(width, height), poster_version.PosterPicture())
    title = next(e for e in laid_out.elements if isinstance(e, Text) and e.role == "title")
    scale = proof.width / width
    band = proof.crop(
        (
            0,
            round((title.baseline - title.size) * scale),
            proof.width,
            round(title.baseline * scale),
        )
    )
    ink = tuple(int(TITLE_INK[i : i + 2], 16) for i in (1, 3, 5))
    inked = sum(
        1
        for pixel in band.get_flattened_data()
        if sum(
            abs(channel_value - target) for channel_value, target in zip(pixel, ink, strict=True)
        )
        < 60
    )
    assert inked / (band.width * band.height) > 0.05


def test_a_picture_shows_in_the_proof(channel, make_board):
    picture = get_image_model().objects.create(
        title="蓝色", file=get_test_image_file(colour=(20, 60, 200), size=(2400, 1600))
    )
    version = {"title": "双拥", "text": "军民团结。", "picture_id": picture.pk}

    proof = Image.open(io.BytesIO(render(channel.files(version, outlet=make_board()), ".png")))

    blues = sum(1 for r, g, b in proof.convert("RGB").get_flattened_data() if b > 150 and r < 80)
    assert blues / (proof.width * proof.height) > 0.1


def test_no_files_while_the_version_has_errors(channel, make_board):
    assert channel.files({"title": ""}, outlet=make_board()) == []
    assert channel.files({"title": "国防" * 2500}, outlet=make_board()) == []


def test_without_an_outlet_the_files_are_for_the_common_board(channel, make_board):
    make_board(600, 400)  # the text is too long for this board, not for the common one
    version = {"title": "双拥", "text": "军" * 3000}

    files = channel.files(version)

    assert [file.name for file in files] == [
        "bulletin-board-poster-draft-2250x1050mm.pdf",
        "bulletin-board-poster-draft-2250x1050mm.png",
    ]
