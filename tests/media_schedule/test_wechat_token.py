"""One access token per WeChat account for the whole installation: shared by every process,
refreshed by one at a time, and never replaced because of a token another worker retired."""

import json
import subprocess
import sys
import textwrap

import pytest

from media_schedule.channels import DeliveryRequest
from media_schedule.channels.wechat.api import Session
from media_schedule.models import WeChatAccessToken
from tests.support.wechat_standin import WeChatStandIn
from tests.support.worker import REPO, child_environment


@pytest.fixture
def standin():
    with WeChatStandIn() as server:
        yield server


def session(standin) -> Session:
    return Session(
        DeliveryRequest(
            placement_id=1,
            idempotency_key="00000000-0000-0000-0000-000000000001",
            attempt=1,
            page_id=1,
            version={},
            outlet_config=standin.outlet_config(),
            outlet_secret=standin.app_secret,
        )
    )


def batchget(worker: Session) -> dict:
    return worker.call("/cgi-bin/freepublish/batchget", json_body={"offset": 0, "count": 1})


@pytest.mark.django_db
def test_the_token_is_fetched_from_stable_token_and_kept_in_the_database(standin):
    token = session(standin).token()

    assert standin.calls["/cgi-bin/stable_token"] == 1
    assert standin.calls["/cgi-bin/token"] == 0
    (row,) = WeChatAccessToken.objects.all()
    assert (row.app_id, row.access_token, row.refreshing_until) == (standin.app_id, token, None)
    # A later delivery reads it from there.
    assert session(standin).token() == token
    assert standin.token_requests == 1


@pytest.mark.django_db
def test_a_token_another_worker_already_replaced_is_swapped_without_asking_the_platform(standin):
    # Given a worker holding token A, and another worker that has since replaced A with B
    # (a forced refresh: the platform stops accepting A at once)
    mine, other = session(standin), session(standin)
    old = mine.token()
    assert other.token() == old
    standin.errcode_next("/cgi-bin/freepublish/batchget", 40001)
    batchget(other)
    new = other.token()
    assert new != old and standin.force_refreshes == 1
    requests = standin.token_requests

    # When the first worker's call is refused for A
    batchget(mine)

    # Then it takes B from the store and asks the platform for no token
    assert mine.token() == new
    assert standin.token_requests == requests
    assert standin.token_rejections == 1
    assert WeChatAccessToken.objects.get().access_token == new


@pytest.mark.django_db
def test_a_refused_token_still_stored_is_replaced_once_through_the_normal_mode(standin):
    worker = session(standin)
    old = worker.token()
    standin.expire_tokens()  # the platform now issues a new one in the normal mode

    batchget(worker)

    assert worker.token() != old
    assert WeChatAccessToken.objects.get().access_token == worker.token()
    assert (standin.token_requests, standin.force_refreshes) == (2, 0)


@pytest.mark.django_db
def test_a_refresh_in_progress_elsewhere_is_waited_for(standin, monkeypatch):
    from django.utils import timezone

    from media_schedule.channels.wechat import token as wechat_token

    worker = session(standin)
    worker.token()
    row = WeChatAccessToken.objects.get()
    # Another process holds the refresh lease and stores its token while this one waits.
    WeChatAccessToken.objects.update(refreshing_until=timezone.now() + wechat_token.LEASE)
    standin.expire_tokens()
    waited = []

    def sleep(seconds):
        waited.append(seconds)
        WeChatAccessToken.objects.update(access_token="fresh-from-elsewhere", refreshing_until=None)

    monkeypatch.setattr(wechat_token.time, "sleep", sleep)

    assert worker.tokens.replace(row.access_token) == "fresh-from-elsewhere"
    assert len(waited) == 1
    assert standin.token_requests == 1


CHILD = textwrap.dedent(
    """
    import json, sys, threading
    import django
    django.setup()
    from media_schedule.channels import DeliveryRequest
    from media_schedule.channels.wechat.api import Session

    config = json.loads(sys.argv[1])
    request = DeliveryRequest(
        placement_id=1, idempotency_key="k", attempt=1, page_id=1, version={},
        outlet_config=config["outlet"], outlet_secret=config["secret"],
    )
    tokens = []
    barrier = threading.Barrier(4)

    def fetch():
        barrier.wait()
        tokens.append(Session(request).token())

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(tokens))
    """
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_share_one_token(standin):
    # Given two worker processes of four threads each, starting cold at the same moment
    config = json.dumps({"outlet": standin.outlet_config(), "secret": standin.app_secret})
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, config],
            cwd=REPO,
            env=child_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]

    # Then one of them fetched the account's token and all eight threads use it
    assert [child.returncode for child in children] == [0, 0], [err for _out, err in outputs]
    tokens = [token for out, _err in outputs for token in json.loads(out)]
    assert len(tokens) == 8
    assert len(set(tokens)) == 1
    assert standin.token_requests == 1
    assert standin.tokens_issued == 1
