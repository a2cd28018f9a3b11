"""A screen's pull token: shown to those who manage screens and to no one else, rotated with a
confirmation and a history entry (the old token fails at once), accepted in a header, and
never written to a log in clear."""

import logging

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from media_schedule.channels.led.models import TOKEN_ROTATED
from outreach_site.log_masking import mask_secrets
from tests.support.gunicorn import GunicornProcess

PASSWORD = "correct-horse-battery-staple"


def user_with(username: str, *codenames: str):
    group = Group.objects.create(name=f"测试：{username}")
    group.permissions.add(*Permission.objects.filter(codename__in=["access_admin", *codenames]))
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(group)
    return user


@pytest.fixture
def screen(make_screen):
    return make_screen(128, 32)


@pytest.fixture
def operator(db):
    """The LED operator, who registers screens and sets up their controllers."""
    return user_with("operator", "view_screen", "change_screen")


@pytest.fixture
def viewer(db):
    """An editor who may look at screens and previews but not manage them."""
    return user_with("viewer", "view_screen", "view_package")


def manifest(client, screen, token=None, **headers):
    query = {"token": token} if token is not None else {}
    return client.get(f"/led/screens/{screen.pk}/manifest.json", query, **headers)


def screen_page(screen):
    return reverse("led_admin:screen", args=[screen.pk])


def rotate_url(screen):
    return reverse("led_admin:token_rotate", args=[screen.pk])


# --- Who sees the token -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_operator_sees_the_token_and_how_to_send_it(client, operator, screen):
    client.force_login(operator)

    html = client.get(screen_page(screen)).content.decode()

    assert f"Authorization: Bearer <span data-screen-token>{screen.token}</span>" in html
    assert "X-Screen-Token" in html
    assert rotate_url(screen) in html


@pytest.mark.django_db
def test_others_see_the_screen_but_not_its_token(client, viewer, screen):
    client.force_login(viewer)

    pages = [
        screen_page(screen),
        reverse("led_admin:index"),
        reverse("led_screens:index"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert screen.token not in response.content.decode(), url
    html = client.get(screen_page(screen)).content.decode()
    assert "拉取密钥只对有权管理显示屏的用户显示。" in html
    assert rotate_url(screen) not in html


@pytest.mark.django_db
def test_the_screen_form_does_not_carry_the_token(client, operator, screen):
    client.force_login(operator)

    response = client.get(reverse("led_screens:edit", args=[screen.pk]))

    assert response.status_code == 200
    assert screen.token not in response.content.decode()


# --- Rotation ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rotation_asks_for_confirmation_first(client, operator, screen):
    client.force_login(operator)
    token = screen.token

    response = client.get(rotate_url(screen))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"确定为“{screen.name}”重新生成拉取密钥吗？" in html
    assert 'method="post"' in html
    screen.refresh_from_db()
    assert screen.token == token


@pytest.mark.django_db
def test_rotating_replaces_the_token_at_once_and_logs_it(client, operator, screen):
    client.force_login(operator)
    old = screen.token
    assert manifest(client, screen, old).status_code == 204

    response = client.post(rotate_url(screen))

    assert response.status_code == 302
    assert response["Location"] == f"{screen_page(screen)}#token"
    screen.refresh_from_db()
    new = screen.token
    assert new != old and len(new) == 43
    assert manifest(client, screen, old).status_code == 404
    assert manifest(client, screen, old, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 404
    assert manifest(client, screen, new).status_code == 204
    assert manifest(client, screen, HTTP_AUTHORIZATION=f"Bearer {new}").status_code == 204
    assert manifest(client, screen, HTTP_X_SCREEN_TOKEN=new).status_code == 204
    page = client.get(f"{screen_page(screen)}").content.decode()
    assert "旧密钥已失效" in page and new in page
    entry = ModelLogEntry.objects.get(action=TOKEN_ROTATED)
    assert (entry.object_id, entry.user_id) == (str(screen.pk), operator.pk)
    assert old not in str(entry.data) and new not in str(entry.data)
    history = client.get(reverse("led_screens:history", args=[screen.pk])).content.decode()
    assert "重新生成拉取密钥" in history
    assert old not in history and new not in history


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_those_who_manage_screens_may_rotate(client, viewer, screen, method):
    client.force_login(viewer)
    token = screen.token

    response = getattr(client, method)(rotate_url(screen))

    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert response["Location"] != f"{screen_page(screen)}#token"
    screen.refresh_from_db()
    assert screen.token == token
    assert not ModelLogEntry.objects.filter(action=TOKEN_ROTATED).exists()


# --- The pull endpoint's ways of taking the token ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Bearer {token}"},
        {"HTTP_AUTHORIZATION": "bearer {token}"},
        {"HTTP_X_SCREEN_TOKEN": "{token}"},
    ],
)
def test_the_token_is_accepted_in_a_header(client, screen, headers):
    filled = {name: value.format(token=screen.token) for name, value in headers.items()}

    assert manifest(client, screen, **filled).status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_AUTHORIZATION": "Bearer wrong"},
        {"HTTP_AUTHORIZATION": "Basic {token}"},
        {"HTTP_X_SCREEN_TOKEN": "wrong"},
        {"HTTP_X_SCREEN_TOKEN": ""},
    ],
)
def test_a_wrong_header_is_the_bare_404(client, screen, headers):
    filled = {name: value.format(token=screen.token) for name, value in headers.items()}

    response = manifest(client, screen, **filled)

    assert response.status_code == 404
    assert response.content == b"Not Found"


# --- Logs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'GET /led/screens/3/manifest.json?token=Ab-9_x HTTP/1.1" 200',
            'GET /led/screens/3/manifest.json?token=*** HTTP/1.1" 200',
        ),
        ("token=Ab-9_x&v=2", "token=***&v=2"),
        ("/led/screens/3/files/a.png?v=2&TOKEN=Ab-9_x", "/led/screens/3/files/a.png?v=2&TOKEN=***"),
        ("Authorization: Bearer Ab-9_x", "Authorization: Bearer ***"),
        ("/search/?q=token", "/search/?q=token"),
    ],
)
def test_masking(line, expected):
    assert mask_secrets(line) == expected


@pytest.mark.django_db
def test_djangos_request_log_never_shows_the_token(client, screen, caplog):
    with caplog.at_level(logging.INFO):
        manifest(client, screen, "wrong-token-1")
        logging.getLogger("django.request").warning(
            "Not Found: %s", f"/led/screens/{screen.pk}/manifest.json?token={screen.token}"
        )

    assert "wrong-token-1" not in caplog.text
    assert screen.token not in caplog.text
    assert "token=***" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_never_shows_the_token(make_screen):
    screen = make_screen(128, 32)
    token = screen.token
    # The request line, the query and the credential headers, as a custom format might log.
    log_format = '%(h)s "%(r)s" %(s)s q=%(q)s auth=%({authorization}i)s x=%({x-screen-token}i)s'
    server = GunicornProcess(name="token", extra_args=["--access-logformat", log_format]).start()
    try:
        url = f"{server.base_url}/led/screens/{screen.pk}/manifest.json"
        with httpx.Client(timeout=10) as http:
            statuses = [
                http.get(url, params={"token": token}).status_code,
                http.get(url, params={"token": f"{token}x"}).status_code,
                http.get(url, headers={"Authorization": f"Bearer {token}"}).status_code,
                http.get(url, headers={"X-Screen-Token": token}).status_code,
            ]
        lines = server.access_lines(4, containing="/led/screens/")
        errors = server.error_output()
        everything = server.access_log.read_text()
    finally:
        server.stop()

    assert statuses == [204, 404, 204, 204]
    assert len(lines) == 4
    assert token not in everything
    assert token not in errors
    path = f"/led/screens/{screen.pk}/manifest.json"
    assert f'"GET {path}?token=*** HTTP/1.1" 204 q=token=*** auth=- x=-' in lines[0]
    assert f'"GET {path}?token=*** HTTP/1.1" 404 q=token=***' in lines[1]
    assert lines[2].endswith(f'"GET {path} HTTP/1.1" 204 q= auth=*** x=-')
    assert lines[3].endswith(f'"GET {path} HTTP/1.1" 204 q= auth=- x=***')
