"""Articles and images for the WeChat tests: a small site tree, covers with focal points."""

import io
import json
import random

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from publicity.models import ArticlePage
from tests.support.schedule_pages import news_column


def make_image(
    title: str,
    *,
    size: tuple[int, int] = (1200, 800),
    fmt: str = "JPEG",
    focal: tuple[int, int, int, int] | None = None,
    noise: bool = False,
    filename: str | None = None,
):
    """A stored Wagtail image; ``noise`` makes it incompressible (big files on purpose),
    ``focal`` is the focal point as centre x, centre y, width, height."""
    if noise:
        rng = random.Random(title)
        picture = PILImage.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    else:
        picture = PILImage.new("RGB", size, (178, 34, 34))
    buffer = io.BytesIO()
    picture.save(buffer, fmt)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}[fmt]
    name = filename or f"{title}.{extension}"
    image = get_image_model()(title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=name))
    if focal:
        image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = focal  # fmt: skip
    image.save()
    return image


def make_article(
    *,
    title: str = "我市开展八一建军节走访慰问活动",
    summary: str = "市委、市政府领导走访慰问驻地部队官兵和优抚对象。",
    author: str = "市双拥办",
    cover=None,
    body: list[dict] | None = None,
    slug: str | None = None,
) -> ArticlePage:
    """A live ArticlePage with ``body`` given in StreamField's stored form."""
    if body is None:
        body = [{"type": "paragraph", "value": "<p>走访慰问活动在全市展开。</p>"}]
    article = ArticlePage(
        title=title,
        slug=slug or f"article-{ArticlePage.objects.count() + 1}",
        summary=summary,
        author=author,
        cover_image=cover,
        body=json.dumps(body),
    )
    news_column().add_child(instance=article)
    return article


def image_block(image, *, caption: str = "", alt: str = "慰问现场") -> dict:
    """An image block of an article body, stored form."""
    return {
        "type": "image",
        "value": {
            "image": {"image": image.pk, "alt_text": alt, "decorative": False},
            "caption": caption,
        },
    }
