"""The poster version of a page for bulletin boards (宣传栏), and its limits on each board.

A version is a dict an editor may adjust: ``title``, ``text`` (plain-text paragraphs, one a
line), ``picture_id`` (a Wagtail image or ``None``), ``header`` and ``subheader`` (the red
band: "双拥专栏" and the column's name) and ``footer`` (who publishes it, and the date).

What a poster may hold depends on the board: every text must fit at the board's minimum
readable size (see ``board``), so the limits are counted by laying the poster out on that
board, and the messages give the counts.
"""

from dataclasses import dataclass
from html.parser import HTMLParser

from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from wagtail.images import get_image_model

from media_schedule.channels.base import VersionProblem
from media_schedule.channels.pictures import FocalPoint, PictureError, open_picture

from .board import Board
from .layout import Poster, PosterContent, lay_out
from .typesetting import FontMissingError, clean, missing_glyphs

KIND = "bulletin_board"
HEADER = "双拥专栏"
# What ``build`` takes from a page: a few short paragraphs, cut at a sentence's end. A
# 2250 × 1050 board shows this much at well above its minimum size; editors may add more.
TEXT_BUDGET = 300
MAX_PARAGRAPHS = 4
SENTENCE_ENDS = "。！？!?"
# Below this a picture looks blurred from the usual reading distance.
MIN_PICTURE_DPI = 60

_BLOCK_TAGS = {"p", "h2", "h3", "h4", "li", "blockquote", "div", "br", "tr"}
_SKIPPED_TAGS = {"script", "style", "template"}


def build(page) -> dict:
    """The poster version of an ArticlePage (summary, then body paragraphs); an ExemplarPage
    (先进典型) gives its summary and story and its photo. A revision's page object works too."""
    page = page.specific
    picture = getattr(page, "cover_image", None) or getattr(page, "photo", None)
    return {
        "kind": KIND,
        "title": clean(page.title or ""),
        "text": "\n".join(_paragraphs(page)),
        "picture_id": picture.pk if picture is not None else None,
        "header": HEADER,
        "subheader": _column_name(page),
        "footer": _footer(page),
    }


@dataclass(frozen=True)
class PosterPicture:
    """The version's picture, opened, or why it cannot be printed (``warning``)."""

    image: Image.Image | None = None
    focal: FocalPoint | None = None
    title: str = ""
    warning: str = ""


def load_picture(version: dict) -> PosterPicture:
    """Open the version's picture from storage; a missing or unusable one is a warning, and
    the poster is then printed without it."""
    picture_id = version.get("picture_id") if isinstance(version, dict) else None
    if picture_id is None:
        return PosterPicture()
    if isinstance(picture_id, bool) or not isinstance(picture_id, int):
        return PosterPicture(warning=_("图片编号无效，海报将不带图片印刷。"))
    image = get_image_model().objects.filter(pk=picture_id).first()
    if image is None:
        return PosterPicture(
            warning=_("所选图片（编号 %(id)d）已被删除，海报将不带图片印刷。") % {"id": picture_id}
        )
    try:
        with image.open_file() as source:
            opened = open_picture(source)
    except PictureError as error:
        return PosterPicture(
            title=image.title,
            warning=_("图片“%(title)s”无法使用：%(error)s海报将不带图片印刷。")
            % {"title": image.title, "error": error},
        )
    except OSError:
        return PosterPicture(
            title=image.title,
            warning=_("图片“%(title)s”的文件已丢失，海报将不带图片印刷；请重新上传或换一张图片。")
            % {"title": image.title},
        )
    rect = image.get_focal_point()
    focal = FocalPoint(rect.left, rect.top, rect.width, rect.height) if rect else None
    return PosterPicture(opened, focal, image.title)


def content(version: dict) -> PosterContent:
    """The texts of a version, cleaned for setting; anything not text counts as empty."""
    version = version if isinstance(version, dict) else {}
    text = _string(version, "text")
    paragraphs = tuple(p for p in (clean(line) for line in text.splitlines()) if p)
    return PosterContent(
        title=clean(_string(version, "title")),
        paragraphs=paragraphs,
        header=clean(_string(version, "header")),
        subheader=clean(_string(version, "subheader")),
        footer=clean(_string(version, "footer")),
    )


def poster(version: dict, board: Board, picture: PosterPicture) -> Poster:
    """The version laid out on ``board``."""
    return lay_out(content(version), board, picture.image, picture.focal)


def content_problems(version: dict, picture: PosterPicture) -> list[VersionProblem]:
    """What is wrong with the version on any board: no title, characters the faces lack,
    nothing but a title, a picture that cannot be printed."""
    if not isinstance(version, dict):
        return [VersionProblem("version", _("海报版本格式无效，请重新生成。"))]
    texts = content(version)
    problems = []
    if not texts.title:
        problems.append(VersionProblem("title", _("标题不能为空")))
    try:
        problems += _glyph_problems(texts)
    except FontMissingError as error:
        return [*problems, VersionProblem("version", str(error))]
    if not texts.paragraphs and picture.image is None:
        problems.append(
            VersionProblem("text", _("正文为空，也没有图片：海报上只有标题。"), severity="warning")
        )
    if picture.warning:
        problems.append(VersionProblem("picture_id", picture.warning, severity="warning"))
    return problems


def board_problems(version: dict, board: Board, picture: PosterPicture) -> list[VersionProblem]:
    """What does not fit ``board`` at its minimum readable sizes, and a picture too coarse
    for its printed size."""
    if not isinstance(version, dict):
        return []
    try:
        laid_out = poster(version, board, picture)
    except FontMissingError:
        return []  # reported by ``content_problems``
    texts = content(version)
    problems = []
    title = laid_out.fits.get("title")
    if title and not title.fits:
        problems.append(
            VersionProblem(
                "title",
                _(
                    "标题太长：按本宣传栏最小字高 %(size)s 毫米须排 %(needed)d 行，最多 %(lines)d 行"
                    "（共 %(count)d 字，每行约 %(per_line)d 字，上限约 %(limit)d 字）"
                )
                % _counts(title, len(texts.title)),
            )
        )
    body = laid_out.fits.get("body")
    if body and not body.fits:
        counts = _counts(body, sum(len(p) for p in texts.paragraphs))
        if picture.image is not None:
            message = _(
                "正文太长：按本宣传栏最小字高 %(size)s 毫米须排 %(needed)d 行，版面只容得下"
                " %(lines)d 行（共 %(count)d 字，每行约 %(per_line)d 字，上限约 %(limit)d 字）。"
                "请删减正文或去掉图片。"
            )
        else:
            message = _(
                "正文太长：按本宣传栏最小字高 %(size)s 毫米须排 %(needed)d 行，版面只容得下"
                " %(lines)d 行（共 %(count)d 字，每行约 %(per_line)d 字，上限约 %(limit)d 字）。"
                "请删减正文。"
            )
        problems.append(VersionProblem("text", message % counts))
    for field, label, text in (
        ("header", _("页眉"), texts.header),
        ("subheader", _("栏目名"), texts.subheader),
        ("footer", _("页脚"), texts.footer),
    ):
        fit = laid_out.fits.get(field)
        if fit and not fit.fits:
            problems.append(
                VersionProblem(
                    field,
                    _("%(label)s过长：共 %(count)d 字，本宣传栏一行最多约 %(limit)d 字")
                    % {"label": label, "count": len(text), "limit": fit.per_line},
                )
            )
    if (photo := laid_out.photo) is not None:
        dpi = photo.image.width / (photo.w / 25.4)
        if dpi < MIN_PICTURE_DPI:
            problems.append(
                VersionProblem(
                    "picture_id",
                    _(
                        "图片“%(title)s”分辨率偏低：印在宣传栏上宽约 %(width)d 毫米，只有约"
                        " %(dpi)d dpi，会显得模糊；建议换用至少 %(pixels)d 像素宽的原图。"
                    )
                    % {
                        "title": picture.title,
                        "width": round(photo.w),
                        "dpi": round(dpi),
                        "pixels": round(photo.w / 25.4 * MIN_PICTURE_DPI),
                    },
                    severity="warning",
                )
            )
    return problems


def _counts(fit, count: int) -> dict:
    return {
        "size": f"{round(fit.size, 1):g}",
        "needed": fit.needed_lines,
        "lines": fit.available_lines,
        "count": count,
        "per_line": fit.per_line,
        "limit": fit.capacity,
    }


def _glyph_problems(texts: PosterContent) -> list[VersionProblem]:
    problems = []
    for field, label, text, role in (
        ("title", _("标题"), texts.title, "title"),
        ("text", _("正文"), "".join(texts.paragraphs), "body"),
        ("header", _("页眉"), texts.header, "header"),
        ("subheader", _("栏目名"), texts.subheader, "header"),
        ("footer", _("页脚"), texts.footer, "body"),
    ):
        missing = missing_glyphs(text, role)
        if missing:
            listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in missing[:20])
            problems.append(
                VersionProblem(
                    field,
                    _(
                        "%(label)s含有字体缺少的字符，印出来会是方框：%(chars)s。请改用常用字或删去这些字符。"
                    )
                    % {"label": label, "chars": listed},
                )
            )
    return problems


def _string(version: dict, key: str) -> str:
    value = version.get(key)
    return value if isinstance(value, str) else ""


class _PlainText(HTMLParser):
    """The text of rich-text HTML, one paragraph per block element; scripts and styles
    dropped with their content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_endtag(self, tag):
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data):
        if not self._skipping:
            self._current.append(data)

    def close(self):
        super().close()
        self._end_paragraph()

    def _end_paragraph(self):
        text = clean("".join(self._current))
        if text:
            self.paragraphs.append(text)
        self._current = []


def plain_paragraphs(markup: str) -> list[str]:
    """Plain-text paragraphs of rich-text HTML."""
    parser = _PlainText()
    parser.feed(markup or "")
    parser.close()
    return parser.paragraphs


def _paragraphs(page) -> list[str]:
    """A few paragraphs of the page as plain text, within ``TEXT_BUDGET`` characters."""
    candidates: list[str] = []
    summary = clean(getattr(page, "summary", "") or "")
    if summary:
        candidates.append(summary)
    candidates += plain_paragraphs(getattr(page, "story", "") or "")
    for block in getattr(page, "body", None) or []:
        if block.block_type == "paragraph":
            candidates += plain_paragraphs(block.value.source)
        elif block.block_type == "quote" and (block.value.get("text") or "").strip():
            quote = f"“{clean(block.value['text'])}”"
            attribution = clean(block.value.get("attribution") or "")
            candidates.append(f"{quote}——{attribution}" if attribution else quote)
    chosen: list[str] = []
    left = TEXT_BUDGET
    for paragraph in dict.fromkeys(candidates):  # the summary often opens the body as well
        if len(chosen) == MAX_PARAGRAPHS or left <= 0:
            break
        if len(paragraph) > left:
            paragraph = _sentences_within(paragraph, left, first=not chosen)
            if not paragraph:
                break
        chosen.append(paragraph)
        left -= len(paragraph)
    return chosen


def _sentences_within(paragraph: str, limit: int, *, first: bool) -> str:
    """The whole sentences of ``paragraph`` within ``limit`` characters; the first paragraph,
    if it has no sentence end early enough, is cut with an ellipsis instead."""
    head = paragraph[:limit]
    end = max(head.rfind(mark) for mark in SENTENCE_ENDS)
    if end >= 0:
        return head[: end + 1]
    return head[: limit - 1] + "…" if first else ""


def _column_name(page) -> str:
    from publicity.models import ColumnPage

    parent = page.get_parent() if page.path else None
    model = parent.specific_class if parent is not None else None
    if model is None or not issubclass(model, ColumnPage):
        return ""
    name = clean(parent.title)
    return "" if name == HEADER else name


def _footer(page) -> str:
    site = page.get_site() if page.path else None
    publisher = clean(getattr(page, "source", "") or "") or (site.site_name if site else "")
    publisher = publisher or HEADER
    moment = getattr(page, "publication_date", None) or page.first_published_at or timezone.now()
    day = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    date = _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }
    return f"{clean(publisher)} · {date}"
