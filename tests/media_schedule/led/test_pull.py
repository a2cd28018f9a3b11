"""The pull endpoint: token, ETag/304, files by checksum, pull log, nothing leaked."""

import datetime
import hashlib
import json

import httpx
import pytest
from django.utils import timezone

from media_schedule.channels.led import services
from media_schedule.channels.led.models import PullLog


@pytest.fixture
def published(make_screen, deliver_placement):
    screen = make_screen(128, 32)
    deliver_placement(screen, {"lines": ["军民团结一家亲"]})
    package, _ = services.screen_package_refresh(screen=screen)
    return screen, package


def manifest_url(screen):
    return f"/led/screens/{screen.pk}/manifest.json"


@pytest.mark.django_db
def test_manifest_with_token_then_304_when_unchanged(client, published):
    screen, package = published

    first = client.get(manifest_url(screen), {"token": screen.token})
    etag = first["ETag"]
    second = client.get(manifest_url(screen), {"token": screen.token}, HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    body = json.loads(first.content)
    assert body["package"]["version"] == package.version
    assert body["package"]["sha256"] == package.checksum
    assert second.status_code == 304 and second["ETag"] == etag and second.content == b""
    logged = list(
        PullLog.objects.filter(screen=screen).order_by("pk").values_list("status_code", "package")
    )
    assert logged == [(200, package.pk), (304, package.pk)]


@pytest.mark.django_db
def test_etag_changes_when_an_insertion_is_pushed(client, published):
    screen, package = published
    etag = client.get(manifest_url(screen), {"token": screen.token})["ETag"]
    now = timezone.now()
    services.insertion_push(
        screen=screen, lines=["紧急通知"], starts_at=now, ends_at=now + datetime.timedelta(hours=1)
    )

    response = client.get(manifest_url(screen), {"token": screen.token}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200 and response["ETag"] != etag
    insertion = json.loads(response.content)["insertions"][0]
    assert json.loads(response.content)["package"]["version"] == package.version
    file_path = insertion["files"][0]["path"]
    got = client.get(
        f"/led/screens/{screen.pk}/files/{file_path}", HTTP_AUTHORIZATION=f"Bearer {screen.token}"
    )
    assert got.status_code == 200
    assert (
        hashlib.sha256(b"".join(got.streaming_content)).hexdigest()
        == insertion["files"][0]["sha256"]
    )


@pytest.mark.django_db
def test_files_are_served_with_their_checksums(client, published):
    screen, package = published
    manifest = json.loads(client.get(manifest_url(screen), {"token": screen.token}).content)
    for entry in manifest["files"]:
        response = client.get(
            f"/led/screens/{screen.pk}/files/{entry['path']}", {"token": screen.token}
        )
        data = b"".join(response.streaming_content)
        assert response.status_code == 200, entry["path"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert response["ETag"] == f'"{entry["sha256"][:40]}"'
    whole = client.get(f"/led/screens/{screen.pk}/files/package.zip", {"token": screen.token})
    assert hashlib.sha256(b"".join(whole.streaming_content)).hexdigest() == package.checksum
    again = client.get(
        f"/led/screens/{screen.pk}/files/package.zip",
        {"token": screen.token},
        HTTP_IF_NONE_MATCH=whole["ETag"],
    )
    assert again.status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how",
    [
        "no token",
        "wrong token",
        "other screen's token",
        "unknown screen",
        "inactive outlet",
        "bad file",
    ],
)
def test_without_a_valid_token_the_answer_is_a_bare_404(client, published, make_screen, how):
    screen, _package = published
    other = make_screen()
    url, params = manifest_url(screen), {"token": screen.token}
    if how == "no token":
        params = {}
    elif how == "wrong token":
        params = {"token": screen.token[:-1] + ("A" if screen.token[-1] != "A" else "B")}
    elif how == "other screen's token":
        params = {"token": other.token}
    elif how == "unknown screen":
        url = "/led/screens/999999/manifest.json"
    elif how == "inactive outlet":
        screen.outlet.is_active = False
        screen.outlet.save()
    elif how == "bad file":
        url = f"/led/screens/{screen.pk}/files/../../settings.py"

    response = client.get(url, params)

    assert response.status_code == 404
    assert response.content == b"Not Found"
    assert not PullLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_controller_pulls_over_real_http(live_server, published):
    screen, package = published
    url = f"{live_server.url}/led/screens/{screen.pk}/manifest.json"
    headers = {"Authorization": f"Bearer {screen.token}", "User-Agent": "LED-Controller/1.0"}

    with httpx.Client(timeout=10) as http:
        first = http.get(url, headers=headers)
        second = http.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
        refused = http.get(url)

    assert first.status_code == 200 and second.status_code == 304 and refused.status_code == 404
    assert first.json()["package"]["sha256"] == package.checksum
    log = PullLog.objects.filter(screen=screen).order_by("pk")
    assert [row.status_code for row in log] == [200, 304]
    assert log[0].user_agent == "LED-Controller/1.0" and log[0].remote_addr == "127.0.0.1"


@pytest.mark.django_db
def test_a_withdrawn_insertion_is_no_longer_served(client, published):
    screen, _package = published
    now = timezone.now()
    insertion = services.insertion_push(
        screen=screen, lines=["紧急通知"], starts_at=now, ends_at=now + datetime.timedelta(hours=1)
    )
    manifest = json.loads(client.get(manifest_url(screen), {"token": screen.token}).content)
    paths = [entry["path"] for entry in manifest["insertions"][0]["files"]]
    paths.append(f"insertions/{insertion.version}/package.zip")
    before = [
        client.get(f"/led/screens/{screen.pk}/files/{path}", {"token": screen.token})
        for path in paths
    ]

    services.insertion_withdraw(package=insertion)
    after = [
        client.get(f"/led/screens/{screen.pk}/files/{path}", {"token": screen.token})
        for path in paths
    ]

    assert [response.status_code for response in before] == [200] * len(paths)
    assert [response.status_code for response in after] == [404] * len(paths)
    assert all(response.content == b"Not Found" for response in after)
