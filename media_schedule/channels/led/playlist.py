"""Selectors: what each screen plays, built from the placements delivered to its outlet."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from wagtail.images import get_image_model

from media_schedule.channels.base import VersionProblem
from media_schedule.models import Placement

from ..pictures import FocalPoint, PictureError, open_picture
from .models import Package, Screen
from .package import PackageItem
from .render import ScreenSpec
from .typesetting import candidate_faces
from .versions import InvalidVersion, LedVersion, parse_version

# Bump when rendering changes what a screen shows, so every screen gets a fresh package
# (2: word-aware line breaks, dithered one-colour pictures, strips and the CFR video).
RENDERER_VERSION = 2


@dataclass
class PlaylistEntry:
    """One placement in a screen's loop, with its parsed version or what is wrong with it."""

    placement: Placement
    version: LedVersion | None
    problems: list[VersionProblem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.placement.page.title


def screen_playlist(
    *, screen: Screen, include_placement_ids=(), today: datetime.date | None = None
) -> list[PlaylistEntry]:
    """The loop of ``screen``: placements delivered or handed over to its outlet (plus
    ``include_placement_ids``, the ones being delivered right now), minus those whose dates
    have passed, urgent ones first, then in due order.

    Handed-over placements stay in every later package: the controller may not have taken
    the one they first went out in."""
    today = today or timezone.localdate()
    placements = (
        Placement.objects.filter(outlet_id=screen.outlet_id)
        .filter(
            Q(status__in=[Placement.Status.DELIVERED, Placement.Status.AWAITING])
            | Q(pk__in=list(include_placement_ids))
        )
        .select_related("page")
        .order_by("due_at", "pk")
    )
    entries = []
    for placement in placements:
        try:
            version = parse_version(placement.version)
        except InvalidVersion as error:
            entries.append(PlaylistEntry(placement, None, error.problems))
            continue
        if version.valid_until and version.valid_until < today:
            continue
        entries.append(PlaylistEntry(placement, version))
    # Stable sort: priority first, due order kept within a priority.
    entries.sort(key=lambda entry: -(entry.version.priority if entry.version else -1))
    return entries


def playing_at(
    entries: list[PlaylistEntry], moment: datetime.datetime, screen: Screen
) -> list[PlaylistEntry]:
    """The entries a controller plays at ``moment``: those valid on its date and inside a
    day-part (the screen's hours when the item has none), and of them only the highest
    priority, so an urgent notice pre-empts the loop."""
    local = timezone.localtime(moment)
    if not screen.opens_at <= local.time() < screen.closes_at:
        return []
    valid = []
    for entry in entries:
        version = entry.version
        if version is None:
            continue
        if version.valid_from and local.date() < version.valid_from:
            continue
        if version.valid_until and local.date() > version.valid_until:
            continue
        if version.day_parts and not any(part.contains(local.time()) for part in version.day_parts):
            continue
        valid.append(entry)
    if not valid:
        return []
    top = max(entry.version.priority for entry in valid)
    return [entry for entry in valid if entry.version.priority == top]


def picture_opener(image_id: int):
    """A callable that opens a Wagtail image's file when the item is rendered."""

    def open_file():
        image = get_image_model().objects.filter(pk=image_id).first()
        if image is None:
            raise PictureError(_("图片（编号 %(id)s）不存在或已被删除。") % {"id": image_id})
        return image.open_file()

    return open_file


def picture_load(image_id: int) -> Image.Image:
    """A Wagtail image decoded for rendering (see :func:`~..pictures.open_picture`)."""
    with picture_opener(image_id)() as handle:
        return open_picture(handle)


def picture_focal(image_id: int | None) -> tuple[FocalPoint | None, str]:
    """The focal point of a Wagtail image and a fingerprint of its file, for caching."""
    if image_id is None:
        return None, ""
    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        return None, "missing"
    focal = None
    if image.focal_point_x is not None and image.focal_point_width:
        focal = FocalPoint(
            image.focal_point_x - image.focal_point_width // 2,
            image.focal_point_y - image.focal_point_height // 2,
            image.focal_point_width,
            image.focal_point_height,
        )
    return focal, image.get_file_hash()


def package_items(entries: list[PlaylistEntry]) -> tuple[list[PackageItem], list[str]]:
    """Package items for the usable entries, and the content keys the fingerprint uses."""
    items, keys = [], []
    for entry in entries:
        if entry.version is None:
            continue
        version = entry.version
        focal, file_hash = picture_focal(version.picture_id)
        items.append(
            PackageItem(
                key=f"placement-{entry.placement.pk}",
                title=entry.title,
                version=version,
                placement_id=entry.placement.pk,
                page_id=entry.placement.page_id,
                picture=picture_opener(version.picture_id) if version.picture_id else None,
                focal=focal,
            )
        )
        keys.append(
            json.dumps(
                [version.as_json(), file_hash, focal.__dict__ if focal else None],
                sort_keys=True,
                ensure_ascii=False,
            )
        )
    return items, keys


def content_fingerprint(spec: ScreenSpec, keys: list[str]) -> str:
    """A digest of everything that decides what the screen shows: geometry, fonts, items.

    Titles and placement ids are left out on purpose: placing the same slogan again does
    not change a dot on the screen, so it must not cost the controller a flash write.
    """
    faces = candidate_faces(spec.height, full_colour=spec.colour_mode == "full")
    fonts = sorted({face.path for face in faces})
    payload = json.dumps(
        [RENDERER_VERSION, spec.__dict__, fonts, keys], sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def current_loop(screen: Screen) -> Package | None:
    """The newest loop package of the screen."""
    return screen.packages.filter(kind=Package.Kind.LOOP).order_by("-version").first()


def active_insertions(screen: Screen, now: datetime.datetime | None = None):
    """Insertions (插播) not withdrawn and not yet over, earliest first."""
    now = now or timezone.now()
    return screen.packages.filter(
        kind=Package.Kind.INSERTION, withdrawn_at__isnull=True, ends_at__gt=now
    ).order_by("starts_at", "version")
