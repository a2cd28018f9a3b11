"""The dispatcher: claim due placements, hand them to workers, deliver, retry, reconcile.

The placement row is the record of what is due and of what happened; a Celery message only
says "deliver placement N now". A beat tick claims due rows under a lease and enqueues one
task each (``claim``); a worker takes the row from ``queued`` to ``sending``, calls the outlet
and records the outcome (``deliver``), and only ``record`` writes the delivery log. A worker
that dies leaves an expired lease behind, and a later tick re-claims the row: a queued row is
simply queued again, a row that was sending becomes ``unconfirmed`` and is reconciled through
the outlet's status query, never blindly sent again.

Once an outlet may have the item (an unconfirmed attempt), nothing but the outlet saying that
it did not go out ends the placement ``failed``: a check that cannot tell leaves it unconfirmed
and checks go on. Before sending a placement that has any earlier attempt in the log, however
its attempt counter was reset, the worker asks the outlet whether an earlier one went out.
"""

from .claim import (
    TickReport,
    dispatch_tick,
    placements_check_approval,
    placements_claim,
    placements_reap_expired,
)
from .deliver import placement_confirm, placement_deliver
from .record import retry_delay

__all__ = [
    "TickReport",
    "dispatch_tick",
    "placement_confirm",
    "placement_deliver",
    "placements_check_approval",
    "placements_claim",
    "placements_reap_expired",
    "retry_delay",
]
