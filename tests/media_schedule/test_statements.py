"""An update compiled once changes the same rows as the ORM's own, with each call's values."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from media_schedule.dispatch.statements import CompiledUpdate
from media_schedule.models import Outlet, Placement
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

Status = Placement.Status


def build_take(values):
    queryset = Placement.objects.filter(
        pk=values["placement_id"], status=Status.QUEUED, claim_token=values["token"]
    )
    return queryset, {
        "status": Status.SENDING,
        "attempts": F("attempts") + 1,
        "claim_token": None,
        "updated_at": values["now"],
    }


@pytest.fixture
def queued():
    outlet = Outlet.objects.create(name="县广播电台", kind=Outlet.Kind.RADIO)
    page = approved_article("双拥共建座谈会召开")
    return [
        Placement.objects.create(
            page=page,
            outlet=outlet,
            due_at=timezone.now(),
            status=Status.QUEUED,
            claim_token=uuid.uuid4(),
        )
        for _ in range(3)
    ]


def test_each_call_uses_its_own_values_and_one_statement(queued):
    take = CompiledUpdate(
        Placement, {"placement_id": "id", "token": "claim_token", "now": "updated_at"}, build_take
    )
    first, second, third = queued
    at = timezone.now() + datetime.timedelta(minutes=5)

    assert take.run(placement_id=first.pk, token=first.claim_token, now=at) == 1
    with CaptureQueriesContext(connection) as queries:
        assert take.run(placement_id=second.pk, token=second.claim_token, now=at) == 1
    assert len(queries) == 1
    # A wrong token or a row no longer queued changes nothing: the compare-and-set holds.
    assert take.run(placement_id=third.pk, token=uuid.uuid4(), now=at) == 0
    assert take.run(placement_id=first.pk, token=first.claim_token, now=at) == 0

    rows = {p.pk: p for p in Placement.objects.filter(pk__in=[q.pk for q in queued])}
    assert [rows[p.pk].status for p in queued] == [Status.SENDING, Status.SENDING, Status.QUEUED]
    assert rows[first.pk].attempts == 1 and rows[first.pk].claim_token is None
    assert rows[second.pk].updated_at == at
    assert rows[third.pk].claim_token == third.claim_token


def test_a_parameter_the_update_never_uses_is_refused(queued):
    take = CompiledUpdate(
        Placement,
        {"placement_id": "id", "token": "claim_token", "now": "updated_at", "lease": "due_at"},
        build_take,
    )
    with pytest.raises(ValueError, match="does not use lease"):
        take.run(
            placement_id=queued[0].pk,
            token=queued[0].claim_token,
            now=timezone.now(),
            lease=timezone.now(),
        )
    assert Placement.objects.get(pk=queued[0].pk).status == Status.QUEUED
