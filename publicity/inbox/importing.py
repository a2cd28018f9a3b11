"""An inbox entry into a draft ArticlePage that starts the 三审 review.

Images are never hot-linked from the source: each one is downloaded through the guarded
fetcher, checked (format, size, pixels) and stored as a Wagtail image, or dropped with a
note the editor sees. The draft keeps the source's name in 来源 and the original link at
the end of its body. Nothing here publishes.
"""

import html
import io
import time
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError
from wagtail.images import get_image_model

from ..models import ArticlePage, ColumnPage
from .fetcher import FetchError, fetch, fetch_settings
from .models import FeedEntry
from .sanitise import split_at_images, text_to_html
from .services import InboxError

IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}
# More pictures than this in one item are dropped (with a note) rather than fetched.
MAX_IMAGES = 20


class ImageRefused(Exception):
    """A picture that will not be stored, worded for an editor."""


def image_check(data: bytes) -> str:
    """The file extension of an acceptable picture; :class:`ImageRefused` otherwise.

    Only PNG, JPEG, WebP and GIF are opened, and Pillow's decompression-bomb warning is an
    error here, as is anything above Wagtail's own pixel limit.
    """
    limit = getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 60_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        try:
            with PILImage.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as picture:
                width, height = picture.size
                if width * height > limit:
                    raise ImageRefused(_("图片像素过多（%(w)d×%(h)d）") % {"w": width, "h": height})
                picture.verify()
                return IMAGE_FORMATS[picture.format]
        except (PILImage.DecompressionBombWarning, PILImage.DecompressionBombError):
            raise ImageRefused(_("图片像素过多，疑似“解压炸弹”")) from None
        except UnidentifiedImageError:
            raise ImageRefused(_("不是 PNG、JPEG、WebP 或 GIF 图片")) from None
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageRefused(_("图片已损坏：%(e)s") % {"e": error}) from None


def image_download(url: str, *, title: str, seconds: float | None = None):
    """Fetch a picture through the guarded fetcher (within ``seconds``) and store it as a
    Wagtail image."""
    try:
        result = fetch(
            url,
            accept="image/png, image/jpeg, image/webp, image/gif",
            max_bytes=getattr(settings, "WAGTAILIMAGES_MAX_UPLOAD_SIZE", 10 * 1024 * 1024),
            seconds=seconds,
        )
    except FetchError as error:
        raise ImageRefused(str(error)) from None
    if result.not_modified or not result.content:
        raise ImageRefused(_("服务器没有返回图片内容"))
    extension = image_check(result.content)
    image = get_image_model()(
        title=title[:255] or _("订阅图片"),
        file=ContentFile(result.content, name=f"feed-image.{extension}"),
    )
    image.save()
    return image


@dataclass
class ImportOutcome:
    page: ArticlePage
    images: int = 0
    notes: list[str] = field(default_factory=list)


def _unique_slug(column: ColumnPage, title: str, entry_id: int) -> str:
    base = slugify(title, allow_unicode=True)[:60].strip("-") or f"feed-{entry_id}"
    taken = set(column.get_children().values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _body(entry: FeedEntry, notes: list[str]) -> tuple[list[dict], list]:
    """The StreamField blocks of the draft and the pictures stored for it (the first is
    the cover)."""
    content = entry.content_html or text_to_html(entry.summary)
    blocks, images, seen = [], [], 0
    budget_ends = time.monotonic() + float(fetch_settings()["IMAGE_BUDGET"])
    for kind, value in split_at_images(content):
        if kind == "html":
            blocks.append({"type": "paragraph", "value": value})
            continue
        seen += 1
        if seen > MAX_IMAGES:
            notes.append(
                _("第 %(n)d 张图片未导入：每篇最多导入 %(max)d 张图片。")
                % {"n": seen, "max": MAX_IMAGES}
            )
            continue
        remaining = budget_ends - time.monotonic()
        if remaining <= 0:
            notes.append(
                _("第 %(n)d 张图片未导入（%(url)s）：下载图片的总时间已用完。")
                % {"n": seen, "url": value[:200]}
            )
            continue
        try:
            image = image_download(value, title=entry.title, seconds=remaining)
        except ImageRefused as error:
            notes.append(
                _("第 %(n)d 张图片未导入（%(url)s）：%(reason)s")
                % {"n": seen, "url": value[:200], "reason": error}
            )
            continue
        images.append(image)
        if not blocks:
            # A lead picture before any text becomes the cover and is not repeated below it.
            continue
        blocks.append(
            {
                "type": "image",
                "value": {
                    "image": {"image": image.pk, "alt_text": entry.title, "decorative": False},
                    "caption": "",
                },
            }
        )
    if entry.link:
        link = html.escape(entry.link)
        blocks.append(
            {
                "type": "paragraph",
                "value": "<p>%s</p>"
                % (_("原文链接：%(link)s") % {"link": f'<a href="{link}">{link}</a>'}),
            }
        )
    return blocks, images


def entry_import(*, entry: FeedEntry, column: ColumnPage, user) -> ImportOutcome:
    """Make ``entry`` a draft article in ``column`` and submit it to the column's workflow.

    Refuses (``InboxError``) an entry already imported and a user who may not add pages in
    the column. The draft is never published here: approval is the reviewers' job.
    """
    if entry.status == FeedEntry.Status.IMPORTED and entry.imported_page_id:
        raise InboxError(_("“%(title)s”已导入过，不再重复导入。") % {"title": entry.title})
    if not column.permissions_for_user(user).can_add_subpage():
        raise InboxError(_("您没有在栏目“%(column)s”中新建文章的权限。") % {"column": column.title})
    notes: list[str] = []
    # Downloads happen before the transaction: no network wait holds a database lock.
    blocks, images = _body(entry, notes)
    sources = list(entry.sources.order_by("sightings__seen_at").values_list("name", flat=True))
    with transaction.atomic():
        locked = FeedEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == FeedEntry.Status.IMPORTED and locked.imported_page_id:
            raise InboxError(_("“%(title)s”已导入过，不再重复导入。") % {"title": entry.title})
        page = ArticlePage(
            title=entry.title,
            slug=_unique_slug(column, entry.title, entry.pk),
            summary=entry.summary[:300],
            source="、".join(sources)[:100],
            author=entry.author[:60],
            publication_date=entry.published_at or timezone.now(),
            body=blocks,
            cover_image=images[0] if images else None,
            live=False,
            owner=user,
        )
        column.add_child(instance=page)
        themes = {
            theme for s in entry.sources.prefetch_related("themes") for theme in s.themes.all()
        }
        page.themes.set(themes)
        page.save_revision(user=user, log_action=True)
        workflow = page.get_workflow()
        if workflow is not None:
            workflow.start(page, user)
        FeedEntry.objects.filter(pk=entry.pk).update(
            status=FeedEntry.Status.IMPORTED,
            imported_page=page,
            handled_by=user,
            handled_at=timezone.now(),
            import_notes="\n".join(notes),
        )
    entry.refresh_from_db()
    return ImportOutcome(page=page, images=len(images), notes=notes)
