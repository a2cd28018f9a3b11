"""Writing campaigns: one made from a key date's proposed window, with its targets."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from .campaign_targets import Target
from .models import Campaign, CampaignTarget, KeyDate


def unique_campaign_slug(name: str, starts_on: datetime.date) -> str:
    """A slug from the name and year that no campaign has yet (``-2``, ``-3`` … if taken)."""
    base = slugify(f"{name}-{starts_on.year}", allow_unicode=True)[:90] or str(starts_on.year)
    slug, number = base, 1
    while Campaign.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def campaign_create(
    *,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    key_date: KeyDate | None = None,
    targets: Iterable[Target] = (),
    description: str = "",
) -> Campaign:
    """Create a campaign with its targets and the key date's themes."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            slug=unique_campaign_slug(name, starts_on),
            starts_on=starts_on,
            ends_on=ends_on,
            key_date=key_date,
            description=description,
        )
        CampaignTarget.objects.bulk_create(
            CampaignTarget(campaign=campaign, medium=t.medium, count=t.count, per=t.per)
            for t in targets
        )
        if key_date is not None:
            campaign.themes.set(key_date.themes.all())
    return campaign
