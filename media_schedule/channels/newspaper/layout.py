"""What the copy says once a version meets its outlet, its picture, and its templates.

Preview, Word and PDF all start from one :class:`PrintCopy`, so the three show the same
text: the outlet fills what the version leaves open (the section, the issue date).
"""

import base64
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from django.template import Context, Engine
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError

from media_schedule.channels.limits import file_format

from . import fonts
from .forms import PaperConfig
from .version import clean_text, issue_date_of, paragraphs_of, section_of

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Formats every consumer of the picture reads (python-docx, WeasyPrint, browsers); others
# are converted to PNG.
PLAIN_FORMATS = {"jpeg", "png"}


@dataclass(frozen=True)
class Picture:
    """The copy's picture at one size: its bytes and where a browser finds it."""

    data: bytes
    content_type: str
    url: str
    width: int
    height: int
    alt: str

    @property
    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class PrintCopy:
    """The copy as printed, every field plain text."""

    paper_name: str
    section: str
    issue_date: datetime.date
    kicker: str
    headline: str
    subhead: str
    byline: str
    paragraphs: tuple[str, ...]
    picture_id: int | None
    caption: str

    @property
    def issue_date_text(self) -> str:
        """``2026年8月1日 星期六`` (the weekday in the active language)."""
        return dateformat.format(self.issue_date, _("Y年n月j日 l"))

    @property
    def dateline(self) -> str:
        """The line at the top of the copy: paper, issue date, section."""
        return "　".join(
            part for part in (self.paper_name, self.issue_date_text, self.section) if part
        )

    def picture(self, max_pixels: int) -> Picture | None:
        """The picture no larger than ``max_pixels`` on either side; ``None`` when there is
        none or its file is gone (validation warns about that)."""
        if self.picture_id is None:
            return None
        return load_picture(self.picture_id, max_pixels)


def print_copy(version: dict, outlet=None, *, today: datetime.date | None = None) -> PrintCopy:
    """The copy of ``version`` on ``outlet`` (the outlet's first section and next issue day
    when the version names none); a malformed version gives empty fields, never an error."""
    config = PaperConfig.of(outlet)
    picture = version.get("picture")
    picture = picture if isinstance(picture, dict) else {}
    image_id = picture.get("image_id")
    return PrintCopy(
        paper_name=config.paper_name or (clean_text(outlet.name) if outlet is not None else ""),
        section=section_of(version, config),
        issue_date=issue_date_of(version, config, today=today or timezone.localdate()),
        kicker=clean_text(version.get("kicker")),
        headline=clean_text(version.get("headline")),
        subhead=clean_text(version.get("subhead")),
        byline=clean_text(version.get("byline")),
        paragraphs=tuple(paragraphs_of(version.get("body"))),
        picture_id=image_id if isinstance(image_id, int) else None,
        caption=clean_text(picture.get("caption")),
    )


def load_picture(image_id: int, max_pixels: int) -> Picture | None:
    """A rendition of image ``image_id`` fitting ``max_pixels``, in a format every consumer
    reads; ``None`` when the image or its file is gone."""
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return None
    spec = f"max-{max_pixels}x{max_pixels}"
    if file_format(image.file.name) not in PLAIN_FORMATS:
        spec += "|format-png"
    try:
        rendition = image.get_rendition(spec)
        with rendition.file.open("rb") as stored:
            data = stored.read()
    except (SourceImageIOError, OSError):
        return None
    kind = file_format(rendition.file.name)
    return Picture(
        data=data,
        content_type="image/jpeg" if kind == "jpeg" else f"image/{kind}",
        url=rendition.url,
        width=rendition.width,
        height=rendition.height,
        alt=clean_text(image.default_alt_text or image.title),
    )


@functools.cache
def _engine() -> Engine:
    # This package is no Django app (the kind has no models), so the project's app-directories
    # loader does not look here; an engine of its own reads the kind's templates from its own
    # folder, keeping the whole kind in one package. Autoescaping is on, as in the project's.
    return Engine(
        dirs=[str(TEMPLATES_DIR)],
        loaders=[
            ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
        ],
        autoescape=True,
    )


def render(
    template_name: str, copy: PrintCopy, *, picture: Picture | None, picture_src: str = ""
) -> SafeString:
    """Render one of the kind's templates (``newspaper/…``) for ``copy``, every value
    escaped; ``picture_src`` is where the page finds the picture (a URL or a data: URI)."""
    context = {
        "copy": copy,
        "picture": picture,
        "picture_src": picture_src,
        "body_family": fonts.BODY_FAMILY,
        "heading_family": fonts.HEADING_FAMILY,
        # Shown where the version leaves a field empty, so that a gap is seen, not missed.
        "labels": {
            "no_paper": _("（未设置报纸名称）"),
            "no_section": _("（未设置版面）"),
            "no_headline": _("（缺少主标题）"),
            "no_body": _("（正文为空）"),
        },
    }
    return _engine().get_template(template_name).render(Context(context, autoescape=True))
