"""The newspaper copy (报纸稿) of a page, how its words are counted, and its limits.

A version holds what the paper prints: ``kicker`` (引题), ``headline`` (主标题), ``subhead``
(副标题), ``byline`` (署名), ``body`` as plain paragraphs, one ``picture`` (an image id and
its caption), the ``section`` (版面) it is offered to and, optionally, the ``issue_date`` the
editor aims at (ISO date). An empty section means the outlet's first and an empty issue date
the next issue day, so that a version stays right when the outlet's settings change.
"""

import datetime
import re
from collections.abc import Iterable
from html.parser import HTMLParser

from django.utils import dateformat
from django.utils.translation import gettext as _
from wagtail.images import get_image_model

from media_schedule.channels.base import VersionProblem

from . import fonts
from .forms import PaperConfig

_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width and CJK punctuation, and the quotes, dashes, ellipsis and middle dot Chinese
# text uses from General Punctuation and Latin-1.
_CJK_PUNCTUATION = (
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\uffe0-\uffe6"
    "\u00b7\u2014\u2015\u2018\u2019\u201c\u201d\u2026"
)
# A letter or digit of any script but an ideograph (full-width Ａ and １ included).
_WORD_CHAR = rf"(?:(?![{_IDEOGRAPHS}])[^\W_])"
_COUNTED = re.compile(rf"{_WORD_CHAR}+(?:[.'’\-]{_WORD_CHAR}+)*|[{_IDEOGRAPHS}{_CJK_PUNCTUATION}]")
# Characters XML 1.0 cannot hold (Word refuses the file, python-docx raises).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def count_words(text: str) -> int:
    """Words of ``text`` as a Chinese newspaper counts them (字数), the way Word's 字数统计
    does: every ideograph and every full-width or Chinese punctuation mark is one, a run of
    letters or digits is one (``3.5``, ``COVID-19`` and ``don't`` included), spaces and
    ASCII punctuation are none. So ``军民团结一家亲`` is 7, ``军民团结，一家亲！`` is 9 and
    ``2026年8月1日`` is 6 (2026, 年, 8, 月, 1, 日)."""
    return len(_COUNTED.findall(text or ""))


def clean_text(text) -> str:
    """``text`` on one line: whitespace runs as one space, characters that no document
    format can hold removed."""
    return _SPACES.sub(" ", _NOT_XML.sub("", str(text or ""))).strip()


def paragraphs_of(value) -> list[str]:
    """A version's body as a list of cleaned, non-empty paragraphs, whatever an edit left
    there (a list, or one text with a paragraph per line)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple):
        return []
    return [text for text in (clean_text(item) for item in value) if text]


def html_paragraphs(markup: str) -> list[str]:
    """Plain paragraphs of rich text: one per block element, line break or list item (an
    ordered list keeps its numbers); scripts, styles and embedded images are dropped."""
    parser = _Paragraphs()
    parser.feed(markup or "")
    parser.close()
    return parser.paragraphs


def build(page) -> dict:
    """The newspaper copy of an ArticlePage: its title as headline, subtitle as subhead,
    author (or source) as byline, the body's text as paragraphs, the cover image (or the
    first picture of the body) as the picture. An ExemplarPage gives its story and photo.
    A revision's page object works as well."""
    page = page.specific
    return {
        "kind": "newspaper",
        # No page field holds a kicker; the editor writes one when the paper wants it.
        "kicker": "",
        "headline": clean_text(page.title),
        "subhead": clean_text(getattr(page, "subtitle", "")),
        "byline": clean_text(getattr(page, "author", "") or getattr(page, "source", "")),
        "body": _body(page),
        "picture": _picture(page),
        "section": "",
        "issue_date": None,
    }


def validate(version: dict, config: PaperConfig | None = None) -> list[VersionProblem]:
    """Everything that keeps the copy from the paper, in Chinese with counts and limits:
    a missing headline or body, too many words, a section the paper does not have (errors);
    a picture whose file is gone, a picture without caption, an issue date the paper does not
    appear on, characters the PDF's face lacks (warnings). ``config`` is the outlet's
    settings; without it only the content itself is checked."""
    config = config or PaperConfig()
    problems: list[VersionProblem] = []
    headline = clean_text(version.get("headline"))
    body = paragraphs_of(version.get("body"))
    if not headline:
        problems.append(VersionProblem("headline", _("主标题不能为空")))
    if not body:
        problems.append(
            VersionProblem("body", _("正文为空：报纸稿须有正文，请在页面中填写正文段落"))
        )
    for field, label, words, limit in (
        ("headline", _("主标题"), count_words(headline), config.title_word_limit),
        ("body", _("正文"), sum(count_words(text) for text in body), config.body_word_limit),
    ):
        if limit is not None and words > limit:
            problems.append(
                VersionProblem(
                    field,
                    _("%(label)s %(count)s 字，超过本报上限 %(limit)s 字")
                    % {"label": label, "count": f"{words:,}", "limit": f"{limit:,}"},
                )
            )
    problems += _section_problems(version, config)
    problems += _issue_date_problems(version, config)
    problems += _picture_problems(version.get("picture"))
    problems += _glyph_problems(version)
    return problems


def long_date(value: datetime.date) -> str:
    """``2026年8月1日`` (the project's wording for a date, so its translation is shared)."""
    return dateformat.format(value, _("Y年n月j日"))


def section_of(version: dict, config: PaperConfig) -> str:
    """The section the copy goes to: the version's own, else the outlet's first."""
    return clean_text(version.get("section")) or config.default_section


def issue_date_of(version: dict, config: PaperConfig, *, today: datetime.date) -> datetime.date:
    """The issue the copy aims at: the version's own date when it has a valid one, else the
    first issue day on or after ``today``."""
    return _parse_date(version.get("issue_date")) or next_issue_date(today, config.issue_days)


def next_issue_date(start: datetime.date, issue_days: Iterable[int]) -> datetime.date:
    """The first day on or after ``start`` whose weekday (Monday 0) is an issue day; a paper
    with no issue days set is taken to appear daily."""
    days = set(issue_days) or set(range(7))
    return next(
        day
        for day in (start + datetime.timedelta(days=offset) for offset in range(7))
        if day.weekday() in days
    )


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class _Paragraphs(HTMLParser):
    BREAKS = {
        "p", "div", "section", "article", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5",
        "h6", "li", "ul", "ol", "dl", "dt", "dd", "table", "tr", "figure", "figcaption",
        "address", "br", "hr",
    }  # fmt: skip
    SKIPPED = {
        "script", "style", "template", "noscript", "iframe", "object", "svg", "math", "head",
        "title", "textarea", "select",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._text: list[str] = []
        # An ordered list item's number, written before its text once the item has some.
        self._number = ""
        self._skipping = 0
        # One entry per open list: the last item number of an ordered list, None for bullets.
        self._lists: list[int | None] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
            return
        if tag in self.BREAKS:
            self._end_paragraph()
        if tag in ("ol", "ul"):
            self._lists.append(0 if tag == "ol" else None)
        elif tag == "li" and self._lists and self._lists[-1] is not None:
            self._lists[-1] += 1
            self._number = f"{self._lists[-1]}. "

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if tag in ("ol", "ul") and self._lists:
            self._lists.pop()
        if tag in self.BREAKS:
            self._end_paragraph()
        if tag == "li":
            # An item with no text leaves no number waiting for the next paragraph.
            self._number = ""

    def handle_data(self, data):
        if not self._skipping:
            self._text.append(data)

    def close(self):
        super().close()
        self._end_paragraph()

    def _end_paragraph(self):
        text = clean_text("".join(self._text))
        self._text = []
        if text:
            self.paragraphs.append(self._number + text)
            self._number = ""


def _body(page) -> list[str]:
    paragraphs: list[str] = []
    story = getattr(page, "story", "")
    if story:
        paragraphs += html_paragraphs(story)
    for block in getattr(page, "body", None) or []:
        kind, value = block.block_type, block.value
        if kind == "paragraph":
            paragraphs += html_paragraphs(value.source)
        elif kind == "quote":
            text = clean_text(value.get("text"))
            attribution = clean_text(value.get("attribution"))
            if text:
                paragraphs.append(f"{text}——{attribution}" if attribution else text)
        # Pictures go to the copy's one picture and clips cannot be printed: both are left
        # out of the text.
    return paragraphs


def _picture(page) -> dict | None:
    blocks = [
        block.value
        for block in getattr(page, "body", None) or []
        if block.block_type == "image" and block.value.get("image")
    ]
    cover = getattr(page, "cover_image", None) or getattr(page, "photo", None)
    if cover is not None:
        # The body may show the cover again with a caption worth keeping.
        caption = next(
            (value.get("caption") for value in blocks if value["image"].pk == cover.pk), ""
        )
        return {"image_id": cover.pk, "caption": clean_text(caption)}
    if blocks:
        return {
            "image_id": blocks[0]["image"].pk,
            "caption": clean_text(blocks[0].get("caption")),
        }
    return None


def _section_problems(version: dict, config: PaperConfig) -> list[VersionProblem]:
    section = section_of(version, config)
    if not config.sections or section in config.sections:
        return []
    return [
        VersionProblem(
            "section",
            _("版面“%(section)s”不是本报的版面（本报版面：%(sections)s）")
            % {"section": section, "sections": "、".join(config.sections)},
        )
    ]


def _issue_date_problems(version: dict, config: PaperConfig) -> list[VersionProblem]:
    value = version.get("issue_date")
    if not value:
        return []
    day = _parse_date(value)
    if day is None:
        return [
            VersionProblem(
                "issue_date",
                _("刊发日期“%(value)s”无法识别，请写成 2026-08-01 的形式") % {"value": value},
            )
        ]
    if config.issue_days and day.weekday() not in config.issue_days:
        return [
            VersionProblem(
                "issue_date",
                _("%(date)s 不是本报出版日") % {"date": long_date(day)},
                "warning",
            )
        ]
    return []


def _picture_problems(picture) -> list[VersionProblem]:
    if not picture:
        return []
    if not isinstance(picture, dict):
        return [VersionProblem("picture", _("图片设置无法识别，请重新选择图片"))]
    image = get_image_model().objects.filter(pk=picture.get("image_id")).first()
    if image is None:
        return [VersionProblem("picture", _("所选图片已被删除，稿件中将不含图片"), "warning")]
    problems = []
    if not image.file or not image.file.storage.exists(image.file.name):
        problems.append(
            VersionProblem(
                "picture",
                _("图片“%(title)s”的文件已丢失，稿件中将不含图片；请重新上传或换一张图片")
                % {"title": image.title},
                "warning",
            )
        )
    if not clean_text(picture.get("caption")):
        problems.append(
            VersionProblem(
                "picture", _("图片没有说明文字（图注），见报图片一般须配说明"), "warning"
            )
        )
    return problems


def _glyph_problems(version: dict) -> list[VersionProblem]:
    picture = version.get("picture")
    texts = [
        *(clean_text(version.get(field)) for field in ("kicker", "headline", "subhead", "byline")),
        *paragraphs_of(version.get("body")),
        clean_text(picture.get("caption")) if isinstance(picture, dict) else "",
    ]
    missing = fonts.missing_characters("".join(texts))
    if not missing:
        return []
    return [
        VersionProblem(
            "body",
            _("PDF 稿的字体 %(font)s 缺少以下字符，PDF 中将无法正确显示，请核对 Word 稿：%(chars)s")
            % {
                "font": fonts.BODY_FAMILY,
                "chars": "、".join(f"“{char}”(U+{ord(char):04X})" for char in missing),
            },
            "warning",
        )
    ]
