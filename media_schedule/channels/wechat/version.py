"""The WeChat Official Account article version of a page, and its limits.

Limits are those published for ``draft/add``: title at most 32 characters, author at most 16,
digest at most 128, content HTML under 20,000 characters and under 1 MB with scripts removed,
body images uploaded through ``media/uploadimg`` as JPG/PNG under 1 MB, a cover image uploaded
as permanent material (``material/add_material``, at most 10 MB), and the 2.35:1 and 1:1 cover
crops as fractions of the image (``pic_crop_235_1``, ``pic_crop_1_1``).
"""

import html
import os
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3
from django.conf import settings
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from media_schedule.channels.base import VersionProblem

from ..limits import MB, file_format, format_megabytes, length_problem

TITLE_LIMIT = 32
AUTHOR_LIMIT = 16
DIGEST_LIMIT = 128
CONTENT_CHAR_LIMIT = 20_000  # content must have fewer characters than this
CONTENT_BYTE_LIMIT = MB  # and fewer bytes than this
BODY_IMAGE_LIMIT = MB
BODY_IMAGE_FORMATS = {"jpeg", "png"}
COVER_LIMIT = 10 * MB
COVER_FORMATS = {"jpeg", "png", "gif", "bmp"}
CROP_RATIOS = {"2.35_1": 2.35, "1_1": 1.0}

# Tags the WeChat editor keeps. Links are dropped (text kept): the platform does not allow
# links to outside pages in an article body; the source URL (阅读原文) carries the link instead.
TEXT_TAGS = {
    "p", "br", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4",
    "blockquote", "ul", "ol", "li", "hr", "section", "pre", "code", "table", "thead", "tbody",
    "tr", "th", "td", "figure", "figcaption",
}  # fmt: skip
CONTENT_TAGS = TEXT_TAGS | {"img"}
ATTRIBUTES = {
    "*": {"style"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
STYLE_PROPERTIES = {
    "text-align", "text-indent", "color", "background-color", "font-size", "font-weight",
    "font-style", "line-height", "letter-spacing", "margin", "margin-top", "margin-bottom",
    "padding", "width", "max-width",
}  # fmt: skip


def sanitise(markup: str, *, allow_images: bool = True) -> str:
    """``markup`` reduced to WeChat-safe tags: scripts, styles sheets, event handlers,
    ``javascript:`` URLs, links and comments removed."""
    return nh3.clean(
        markup,
        tags=CONTENT_TAGS if allow_images else TEXT_TAGS,
        attributes=ATTRIBUTES if allow_images else {"*": {"style"}},
        url_schemes={"http", "https"},
        filter_style_properties=STYLE_PROPERTIES,
        strip_comments=True,
        link_rel=None,
    )


def build(page) -> dict:
    """The WeChat article version of an ArticlePage; an ExemplarPage (先进典型) gives its story
    as the body and its photo as the cover. A revision's page object works as well."""
    page = page.specific
    root = _root_url(page)
    gaps: list[dict] = []
    content, images = _content(page, root, gaps)
    cover = _cover(getattr(page, "cover_image", None) or getattr(page, "photo", None), root, gaps)
    return {
        "kind": "wechat",
        "title": page.title,
        "author": getattr(page, "author", "") or "",
        "digest": (getattr(page, "summary", "") or "").strip(),
        "content": content,
        "content_source_url": page.get_full_url() or "",
        "need_open_comment": 0,
        "only_fans_can_comment": 0,
        "cover": cover,
        "images": images,
        # What the page lacks (a draft may be saved with empty blocks); each is an error.
        "gaps": gaps,
    }


def validate(version: dict) -> list[VersionProblem]:
    """Every violation of the ``draft/add`` limits, in Chinese with the count."""
    problems: list[VersionProblem] = []
    title = version.get("title") or ""
    if not title.strip():
        problems.append(VersionProblem("title", _("标题不能为空")))
    for field, label, limit in (
        ("title", _("标题"), TITLE_LIMIT),
        ("author", _("作者"), AUTHOR_LIMIT),
        ("digest", _("摘要"), DIGEST_LIMIT),
    ):
        problem = length_problem(field, label, version.get(field) or "", limit)
        if problem:
            problems.append(problem)
    problems += [VersionProblem(gap["field"], gap["message"]) for gap in version.get("gaps", [])]
    problems += _content_problems(version)
    problems += _cover_problems(version.get("cover"))
    source = version.get("content_source_url") or ""
    if not source.startswith(("http://", "https://")):
        problems.append(
            VersionProblem("content_source_url", _("原文链接为空或无效（页面是否已在网站发布？）"))
        )
    return problems


def crop_box(
    width: int, height: int, ratio: float, focal: tuple[int, int, int, int] | None
) -> tuple[int, int, int, int]:
    """The largest ``ratio`` (width / height) box inside the image, centred on the focal
    point's centre (``focal`` is left, top, right, bottom) or on the image's, and moved back
    inside the image where it would overflow."""
    if width / height > ratio:
        box_w, box_h = max(1, min(width, round(height * ratio))), height
    else:
        box_w, box_h = width, max(1, min(height, round(width / ratio)))
    if focal:
        centre_x, centre_y = (focal[0] + focal[2]) / 2, (focal[1] + focal[3]) / 2
    else:
        centre_x, centre_y = width / 2, height / 2
    left = min(max(round(centre_x - box_w / 2), 0), width - box_w)
    top = min(max(round(centre_y - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def crop_fractions(box: tuple[int, int, int, int], width: int, height: int) -> str:
    """A crop box in WeChat's ``X1_Y1_X2_Y2`` notation: fractions of the image, e.g.
    ``0.1945_0_1_0.5236``."""
    values = (box[0] / width, box[1] / height, box[2] / width, box[3] / height)
    return "_".join(f"{value:.4f}".rstrip("0").rstrip(".") for value in values)


def _root_url(page) -> str:
    site = page.get_site()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL


def _image_entry(image, root: str) -> dict | None:
    """The upload entry of ``image``, or ``None`` when its file is gone from storage."""
    name = image.file.name
    try:
        size = image.file_size or image.file.size
    except OSError:
        return None
    return {
        "image_id": image.pk,
        "src": urljoin(root + "/", image.file.url),
        "file": name,
        "name": os.path.basename(name),
        "format": file_format(name),
        "size": size,
    }


def _missing_file(field: str, image) -> dict:
    return {
        "field": field,
        "message": _("图片“%(title)s”的文件已丢失，请重新上传或换一张图片")
        % {"title": image.title},
    }


def _cover(image, root: str, gaps: list[dict]) -> dict | None:
    if image is None:
        return None
    entry = _image_entry(image, root)
    if entry is None:
        gaps.append(_missing_file("cover", image))
        return None
    focal_rect = image.get_focal_point()
    focal = (
        (focal_rect.left, focal_rect.top, focal_rect.right, focal_rect.bottom)
        if focal_rect
        else None
    )
    crops = {}
    for name, ratio in CROP_RATIOS.items():
        box = crop_box(image.width, image.height, ratio, focal)
        crops[name] = {
            "box": list(box),
            "fractions": crop_fractions(box, image.width, image.height),
        }
    entry.update(
        width=image.width,
        height=image.height,
        focal_point=list(focal) if focal else None,
        crops=crops,
    )
    return entry


def _content(page, root: str, gaps: list[dict]) -> tuple[str, list[dict]]:
    parts: list[str] = []
    images: dict[str, dict] = {}
    story = getattr(page, "story", "")
    if story:
        parts.append(sanitise(expand_db_html(story), allow_images=False))
    for number, block in enumerate(getattr(page, "body", None) or [], start=1):
        kind, value = block.block_type, block.value
        if gap := _block_gap(number, block):
            gaps.append(gap)
            continue
        if kind == "paragraph":
            # Imported or pasted rich text may carry anything; images only come from image
            # blocks, so that every one of them is in the upload list.
            parts.append(sanitise(expand_db_html(value.source), allow_images=False))
        elif kind == "image":
            image = value["image"]
            entry = _image_entry(image, root)
            if entry is None:
                gaps.append(_missing_file("content", image))
                continue
            entry = images.setdefault(entry["src"], entry)
            alt = (
                ""
                if getattr(image, "decorative", False)
                else getattr(image, "contextual_alt_text", None) or image.default_alt_text or ""
            )
            parts.append(
                f'<p style="text-align: center"><img src="{html.escape(entry["src"])}"'
                f' alt="{html.escape(alt)}"></p>'
            )
            if value.get("caption"):
                parts.append(f'<p style="text-align: center">{html.escape(value["caption"])}</p>')
        elif kind == "quote":
            attribution = value.get("attribution")
            parts.append(
                f"<blockquote><p>{html.escape(value['text'])}</p>"
                + (f"<p>—— {html.escape(attribution)}</p>" if attribution else "")
                + "</blockquote>"
            )
        elif kind == "media":
            # The API cannot embed outside video or audio; point readers to the website.
            label = _("视频") if value.get("kind") == "video" else _("音频")
            caption = value.get("caption") or ""
            # Outside the f-string so that makemessages can see it.
            hint = _("（请点击“阅读原文”观看或收听）")
            parts.append(f"<p>【{label}】{html.escape(caption)}{hint}</p>")
    return sanitise("".join(parts)), list(images.values())


def _block_gap(number: int, block) -> dict | None:
    """What a body block lacks for the article (a draft may keep empty required fields)."""
    kind, value = block.block_type, block.value
    missing = None
    if kind == "image" and not value.get("image"):
        missing = _("未选择图片")
    elif kind == "quote" and not (value.get("text") or "").strip():
        missing = _("引文为空")
    elif kind == "media" and not value.get("embed") and not value.get("file"):
        missing = _("未填写链接也未选择文件")
    if missing is None:
        return None
    return {
        "field": "content",
        "message": _("正文第 %(number)d 块（%(label)s）%(missing)s")
        % {"number": number, "label": block.block.label, "missing": missing},
    }


class _ContentScan(HTMLParser):
    """Counts what validation looks for in content HTML: scripts, handlers, image sources."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = 0
        self.handlers = 0
        self.image_sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts += 1
        self.handlers += sum(1 for name, _value in attrs if name.startswith("on"))
        for name, value in attrs:
            if (value or "").strip().lower().startswith("javascript:"):
                self.handlers += 1
            if tag == "img" and name == "src":
                self.image_sources.append(value or "")


def _content_problems(version: dict) -> list[VersionProblem]:
    problems = []
    content = version.get("content") or ""
    if not content.strip():
        problems.append(VersionProblem("content", _("正文不能为空")))
    if len(content) >= CONTENT_CHAR_LIMIT:
        problems.append(
            VersionProblem(
                "content",
                _("正文超出 %(over)s 字符（共 %(count)s 字符，须少于 %(limit)s 字符）")
                % {
                    "over": f"{len(content) - CONTENT_CHAR_LIMIT + 1:,}",
                    "count": f"{len(content):,}",
                    "limit": f"{CONTENT_CHAR_LIMIT:,}",
                },
            )
        )
    size = len(content.encode("utf-8"))
    if size >= CONTENT_BYTE_LIMIT:
        problems.append(
            VersionProblem(
                "content", _("正文超过 1 MB（%(size)s）") % {"size": format_megabytes(size)}
            )
        )
    scan = _ContentScan()
    scan.feed(content)
    scan.close()
    if scan.scripts:
        problems.append(
            VersionProblem(
                "content", _("正文含有 %(count)d 段脚本，须删除") % {"count": scan.scripts}
            )
        )
    if scan.handlers:
        problems.append(
            VersionProblem(
                "content",
                _("正文含有 %(count)d 处脚本属性或 javascript: 链接，须删除")
                % {"count": scan.handlers},
            )
        )
    listed = {image["src"] for image in version.get("images") or []}
    for src in scan.image_sources:
        if src not in listed:
            problems.append(
                VersionProblem(
                    "content", _("正文图片 %(src)s 不在上传清单中，无法上传") % {"src": src}
                )
            )
    for image in version.get("images") or []:
        fmt = image.get("format", "")
        if fmt not in BODY_IMAGE_FORMATS:
            problems.append(
                VersionProblem(
                    "images",
                    _("正文图片 %(name)s 格式为 %(format)s，仅支持 JPG/PNG")
                    % {"name": image["name"], "format": fmt.upper() or _("未知")},
                )
            )
        if image.get("size", 0) >= BODY_IMAGE_LIMIT:
            problems.append(
                VersionProblem(
                    "images",
                    _("正文图片 %(name)s 超过 1 MB（%(size)s）")
                    % {"name": image["name"], "size": format_megabytes(image["size"])},
                )
            )
    return problems


def _cover_problems(cover: dict | None) -> list[VersionProblem]:
    if not cover:
        return [VersionProblem("cover", _("缺少封面图片（须作为永久素材上传）"))]
    problems = []
    if cover.get("format") not in COVER_FORMATS:
        problems.append(
            VersionProblem(
                "cover",
                _("封面图片 %(name)s 格式为 %(format)s，仅支持 JPG/PNG/GIF/BMP")
                % {"name": cover.get("name"), "format": (cover.get("format") or "").upper()},
            )
        )
    if cover.get("size", 0) > COVER_LIMIT:
        problems.append(
            VersionProblem(
                "cover",
                _("封面图片 %(name)s 超过 10 MB（%(size)s）")
                % {"name": cover.get("name"), "size": format_megabytes(cover["size"])},
            )
        )
    for name in CROP_RATIOS:
        if not _valid_fractions((cover.get("crops") or {}).get(name, {}).get("fractions", "")):
            problems.append(
                VersionProblem(
                    "cover", _("封面 %(ratio)s 裁剪区域无效") % {"ratio": name.replace("_", ":")}
                )
            )
    return problems


def _valid_fractions(text: str) -> bool:
    try:
        x1, y1, x2, y2 = (float(part) for part in text.split("_"))
    except ValueError:
        return False
    return 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
