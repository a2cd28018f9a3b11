"""What the editor takes to the paper: the preview, the Word copy and the PDF copy, read back."""

import io
import re

import docx
import pytest
import time_machine
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from media_schedule.channels import get_channel
from media_schedule.channels.newspaper import fonts
from media_schedule.channels.newspaper.adapter import file_stem
from media_schedule.models import DeliveryRecord
from tests.support.wechat_pages import make_article

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = "<script>alert('x')</script>军民团结一家亲"


@pytest.fixture
def channel():
    return get_channel("newspaper")


@pytest.fixture
def version(channel, article):
    return {**channel.build_version(article), "kicker": "情系子弟兵", "issue_date": "2026-08-03"}


@pytest.fixture
def hostile(channel):
    page = make_article(
        title=HOSTILE_TITLE,
        author='<img src="x" onerror="alert(1)">',
        cover=None,
        body=[
            {
                "type": "paragraph",
                "value": "<p>正文<b>加粗</b><script>alert(2)</script>"
                '<a href="javascript:alert(3)">链接</a></p><p>&lt;iframe&gt;照登</p>',
            }
        ],
    )
    return channel.build_version(page)


def made(channel, version, outlet, suffix: str) -> bytes:
    (found,) = [f for f in channel.files(version, outlet=outlet) if f.name.endswith(suffix)]
    return found.render()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_two_files_named_after_the_headline(channel, version, paper):
    files = channel.files(version, outlet=paper)

    assert [(f.name, f.content_type) for f in files] == [
        (
            "报纸稿-我县开展八一建军节走访慰问活动.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("报纸稿-我县开展八一建军节走访慰问活动.pdf", "application/pdf"),
    ]
    assert [str(f.label) for f in files] == ["报纸稿（Word）", "报纸稿（PDF）"]


def test_file_names_keep_only_safe_characters():
    assert file_stem('a/b\\c:d*e?f"g<h>i|j k\tl') == "abcdefghijkl"
    assert (
        file_stem("关于在全县范围内深入开展双拥模范县创建宣传月活动")
        == "关于在全县范围内深入开展双拥模范县创建宣"
    )
    assert file_stem("../..") == "无标题"


def test_preview_lays_the_copy_out_as_a_newspaper_column(channel, version, paper, photo):
    html = channel.preview(version, outlet=paper)

    assert '<span class="np-paper">示范县报</span>' in html
    assert '<span class="np-date">2026年8月3日 星期一</span>' in html
    assert '<span class="np-section">要闻版</span>' in html
    heads = re.search(r'<header class="np-heads">(.*?)</header>', html, re.S).group(1)
    assert re.findall(r'class="np-(\w+)"', heads) == ["kicker", "headline", "subhead", "byline"]
    assert '<h1 class="np-headline">我县开展八一建军节走访慰问活动</h1>' in html
    assert "<figcaption>县领导与官兵亲切交谈。</figcaption>" in html
    assert re.search(r'<img src="/media/images/[^"]+" alt="慰问现场" width="640"', html)
    assert "<p>慰问组一行来到营区，与官兵座谈。</p>" in html
    assert "column-width" in html


def test_preview_shows_what_is_missing(channel, paper):
    html = channel.preview({"headline": "", "body": []}, outlet=paper)

    assert "（缺少主标题）" in html and "（正文为空）" in html


def test_hostile_text_is_escaped_in_the_preview(channel, hostile, paper):
    html = channel.preview(hostile, outlet=paper)

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;军民团结一家亲" in html
    assert "&lt;img src=&quot;x&quot; onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;iframe&gt;照登" in html
    assert "<script" not in html and "<iframe" not in html and "javascript:" not in html
    assert "<p>正文加粗链接</p>" in html


def test_word_copy_reads_back_with_chinese_faces(channel, version, paper):
    document = docx.Document(io.BytesIO(made(channel, version, paper, ".docx")))

    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "示范县报　2026年8月3日 星期一　要闻版"
    assert texts[1:5] == [
        "情系子弟兵",
        "我县开展八一建军节走访慰问活动",
        "县领导带队看望驻地官兵和优抚对象",
        "县双拥办 张明",
    ]
    caption = document.paragraphs[texts.index("县领导与官兵亲切交谈。")]
    picture_width = document.inline_shapes[0].width
    # Indented to the picture's edges (160 mm of text width, the picture centred).
    assert abs(caption.paragraph_format.left_indent - (Mm(160) - picture_width) / 2) < Mm(0.1)
    assert texts[-4:] == version["body"]
    headline = document.paragraphs[2].runs[0]
    assert headline.bold and headline.font.size == Pt(22)
    assert headline._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    body = document.paragraphs[-1].runs[0]
    assert body._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    normal = document.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    assert len(document.inline_shapes) == 1
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # The rule under the dateline sits where the schema puts it, before the alignment.
    properties = [child.tag.split("}")[1] for child in document.paragraphs[0]._p.pPr]
    assert properties.index("pBdr") < properties.index("spacing")


def test_pdf_copy_is_a4_with_the_chinese_text_in_an_embedded_noto_face(channel, version, paper):
    reader = PdfReader(io.BytesIO(made(channel, version, paper, ".pdf")))

    first = reader.pages[0]
    assert abs(float(first.mediabox.width) - 595.28) < 1
    assert abs(float(first.mediabox.height) - 841.89) < 1
    text = flat("".join(page.extract_text() for page in reader.pages))
    assert "我县开展八一建军节走访慰问活动" in text
    assert "示范县报" in text and "要闻版" in text
    assert flat(version["body"][2]) in text
    faces = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            faces[str(font["/BaseFont"]).split("+")[-1].replace("-", "")] = embedded
    assert any(name.startswith("NotoSerifCJK") for name in faces), faces
    assert all(faces.values()), faces
    assert len(first.images) == 1


def test_hostile_text_is_plain_in_both_files(channel, hostile, paper):
    document = docx.Document(io.BytesIO(made(channel, hostile, paper, ".docx")))
    texts = [p.text for p in document.paragraphs]
    assert HOSTILE_TITLE in texts
    assert texts[-2:] == ["正文加粗链接", "<iframe>照登"]

    reader = PdfReader(io.BytesIO(made(channel, hostile, paper, ".pdf")))
    text = flat("".join(page.extract_text() for page in reader.pages))
    assert flat(HOSTILE_TITLE) in text
    assert "正文加粗链接" in text


def test_a_long_copy_flows_over_several_pages(channel, version, paper):
    version["body"] = ["军民团结一家亲，" * 60] * 12

    reader = PdfReader(io.BytesIO(made(channel, version, paper, ".pdf")))

    assert len(reader.pages) >= 2


def test_copies_leave_out_a_picture_whose_file_is_gone(channel, version, paper, photo):
    photo.file.storage.delete(photo.file.name)

    document = docx.Document(io.BytesIO(made(channel, version, paper, ".docx")))
    reader = PdfReader(io.BytesIO(made(channel, version, paper, ".pdf")))

    assert len(document.inline_shapes) == 0
    assert len(reader.pages[0].images) == 0


@time_machine.travel("2026-08-01 10:00 +0800")
def test_the_copy_dates_itself_to_the_next_issue(channel, version, paper):
    version["issue_date"] = None

    document = docx.Document(io.BytesIO(made(channel, version, paper, ".docx")))

    # 1 August 2026 is a Saturday; the paper appears Monday to Friday.
    assert document.paragraphs[0].text == "示范县报　2026年8月3日 星期一　要闻版"


def test_no_pdf_without_the_chinese_faces(channel, version, paper, monkeypatch):
    monkeypatch.setattr(fonts, "font_path", lambda family: None)

    (pdf,) = [f for f in channel.files(version, outlet=paper) if f.name.endswith(".pdf")]

    with pytest.raises(fonts.PrintFontMissingError, match="未找到印刷字体 Noto Serif CJK SC"):
        pdf.render()


def test_receipt_lines_name_the_issue_and_page(channel, paper):
    record = DeliveryRecord(
        outlet=paper,
        url="https://epaper.example.cn/2026-08-03/01.html",
        receipt={"issue_date": "2026-08-03", "page_number": "1"},
    )

    lines = [(str(line.label), line.value) for line in channel.receipt_lines(record)]

    assert lines == [
        ("发布地址", "https://epaper.example.cn/2026-08-03/01.html"),
        ("刊发日期", "2026年8月3日"),
        ("版次", "第 1 版"),
    ]
    record.receipt = {"issue_date": "八月三日", "page_number": "A3"}
    assert [line.value for line in channel.receipt_lines(record)][1:] == ["八月三日", "A3"]
