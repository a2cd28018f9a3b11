"""The print-ready copy as a Word document (.docx), for the paper's editors to set from.

Faces are named as Chinese Windows installs them (宋体, 黑体, 楷体): the paper's staff open
the file in Word there. Every run names its East Asian face (``w:eastAsia``) as well as its
Latin one, or Word sets Chinese in the Latin face's fallback.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from .layout import PrintCopy

LATIN_FACE = "Times New Roman"
SONG = "宋体"
HEI = "黑体"
KAI = "楷体"
BODY_SIZE = Pt(12)  # 小四
PICTURE_PIXELS = 1600
PICTURE_MAX_WIDTH_MM = 130
PICTURE_DPI = 150
# What may follow w:pBdr in paragraph properties and w:lang in run properties (ECMA-376
# CT_PPrBase, CT_RPr): Word rejects a file with a property out of this order.
AFTER_BORDERS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")


def render_docx(copy: PrintCopy) -> bytes:
    """The copy as a .docx: a dateline (paper, issue date, section) ruled off at the top,
    引题/主标题/副标题 centred with the headline bold and largest, the byline, the picture with
    its caption, then the body with first-line indents."""
    document = Document()
    _set_up_page(document)
    _set_up_normal_style(document)
    document.core_properties.title = copy.headline
    document.core_properties.language = "zh-CN"

    dateline = _paragraph(document, copy.dateline, face=SONG, size=Pt(10.5))
    dateline.paragraph_format.space_after = Pt(12)
    _rule_below(dateline)
    if copy.kicker:
        _paragraph(document, copy.kicker, face=HEI, size=Pt(15), centred=True)
    _paragraph(document, copy.headline, face=HEI, size=Pt(22), bold=True, centred=True)
    if copy.subhead:
        _paragraph(document, copy.subhead, face=KAI, size=Pt(15), centred=True)
    if copy.byline:
        _paragraph(document, copy.byline, face=KAI, size=Pt(10.5), centred=True)
    _add_picture(document, copy)
    for text in copy.paragraphs:
        paragraph = _paragraph(document, text, face=SONG, size=BODY_SIZE)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(25)


def _set_up_normal_style(document) -> None:
    style = document.styles["Normal"]
    style.font.size = BODY_SIZE
    _set_faces(style.element.get_or_add_rPr(), SONG)
    # Word's proofing and line breaking follow the language of the text.
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, *AFTER_LANG)
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = style.paragraph_format
    spacing.line_spacing_rule = WD_LINE_SPACING.ONE_POINT_FIVE
    spacing.space_after = Pt(0)


def _set_faces(rpr, east_asian: str) -> None:
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:ascii"), LATIN_FACE)
    fonts.set(qn("w:hAnsi"), LATIN_FACE)
    fonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(document, text: str, *, face: str, size, bold=False, centred=False):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = size
    run.bold = bold or None
    _set_faces(run._element.get_or_add_rPr(), face)
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _rule_below(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (
        ("w:val", "double"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(name), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *AFTER_BORDERS)


def _add_picture(document, copy: PrintCopy) -> None:
    picture = copy.picture(PICTURE_PIXELS)
    if picture is None:
        return
    # A small picture keeps its size at print resolution rather than being blown up.
    width = Mm(min(PICTURE_MAX_WIDTH_MM, picture.width / PICTURE_DPI * 25.4))
    document.add_picture(io.BytesIO(picture.data), width=width)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.paragraphs[-1].paragraph_format.space_before = Pt(6)
    if copy.caption:
        caption = _paragraph(document, copy.caption, face=KAI, size=Pt(10.5))
        # Indented to the picture's edges, so the caption sits under the picture alone.
        section = document.sections[0]
        text_width = section.page_width - section.left_margin - section.right_margin
        margin = Emu(max(0, (text_width - width) // 2))
        caption.paragraph_format.left_indent = caption.paragraph_format.right_indent = margin
        caption.paragraph_format.space_after = Pt(6)
