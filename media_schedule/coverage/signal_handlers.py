"""Keep the coverage roll-up in step with the delivery log.

The dispatcher's record service is the one writer of ``DeliveryRecord``; every record it
appends is saved inside its transaction, so refreshing here makes the roll-up commit (or
roll back) together with the record. A placement saved with another campaign or outlet is
recounted too. Bulk inserts bypass this: run ``rollup.rebuild``.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from media_schedule.models import DeliveryRecord, Placement

from .models import CoveragePlacement
from .rollup import placement_refresh


@receiver(post_save, sender=DeliveryRecord, dispatch_uid="coverage_record_written")
def record_written(sender, instance: DeliveryRecord, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        placement_refresh(placement_id=instance.placement_id)


@receiver(post_save, sender=Placement, dispatch_uid="coverage_placement_saved")
def placement_saved(sender, instance: Placement, created: bool, raw: bool = False, **kwargs):
    # A placement moved to another campaign (or outlet) after it ran counts there from now
    # on; the dispatcher's own status changes are updates, which send no signal.
    if not created and not raw and CoveragePlacement.objects.filter(pk=instance.pk).exists():
        placement_refresh(placement_id=instance.pk)
