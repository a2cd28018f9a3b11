"""Login throttling on the real admin login page: five wrong passwords for one account, or
from one address, lock logins there for 15 minutes with a Chinese message; the lock ends
with the cool-off or the unlock commands. Behind a proxy the client's address is read from
X-Forwarded-For only when the proxies are declared."""

import datetime
import re

import httpx
import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from outreach_site.lockout import client_ip
from tests.support.gunicorn import GunicornProcess

PASSWORD = "correct-horse-battery-staple"
LOCKED = "登录失败次数过多，该账号或本机地址已被暂时锁定。请 15 分钟后再试，或请系统管理员解锁。"
LOGIN = "/admin/login/"

pytestmark = pytest.mark.django_db


def admin_user(username: str):
    """A user whose only permission is to enter the admin, as every editor has."""
    group, _created = Group.objects.get_or_create(name="测试：后台用户")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(group)
    return user


@pytest.fixture
def editor():
    return admin_user("editor")


@pytest.fixture
def reviewer():
    return admin_user("reviewer")


@pytest.fixture
def now():
    """A fixed start, so that cool-off times are exact."""
    with time_machine.travel(datetime.datetime(2026, 9, 19, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield timezone.now()


def log_in(client, username, password, address="127.0.0.1", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail(client, username, times, address="127.0.0.1", **headers):
    return [log_in(client, username, "wrong", address, **headers) for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(client, editor, now):
    first_four = fail(client, "editor", 4)
    assert [response.status_code for response in first_four] == [200, 200, 200, 200]
    assert all(LOCKED not in response.content.decode() for response in first_four)

    fifth = log_in(client, "editor", "wrong")

    assert fifth.status_code == 429
    assert fifth["Retry-After"] == "900"
    page = fifth.content.decode()
    assert LOCKED in page
    assert 'lang="zh-hans"' in page
    # The admin login page itself, ready for later, with the name kept and no password.
    assert re.search(r'<input[^>]*name="username"[^>]*value="editor"', page)
    assert 'name="password"' in page and "wrong" not in page


def test_the_right_password_is_refused_while_locked(client, editor, now):
    fail(client, "editor", 5)

    response = log_in(client, "editor", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, editor, now):
    fail(client, "editor", 5)

    with time_machine.travel(now + datetime.timedelta(minutes=14, seconds=59), tick=False):
        assert log_in(client, "editor", PASSWORD).status_code == 429
    with time_machine.travel(now + datetime.timedelta(minutes=15, seconds=1), tick=False):
        response = log_in(client, "editor", PASSWORD)

    assert logged_in(response)
    assert client.get("/admin/").status_code == 200


def test_attempts_while_locked_do_not_extend_the_lock(client, editor, now):
    fail(client, "editor", 5)
    with time_machine.travel(now + datetime.timedelta(minutes=10), tick=False):
        fail(client, "editor", 3)

    with time_machine.travel(now + datetime.timedelta(minutes=15, seconds=1), tick=False):
        assert logged_in(log_in(client, "editor", PASSWORD))


def test_unlocking_an_account_with_the_command(client, editor, now):
    fail(client, "editor", 5)

    call_command("axes_reset_username", "editor")

    assert logged_in(log_in(client, "editor", PASSWORD))


def test_a_locked_account_is_locked_from_every_address(client, editor, reviewer, now):
    fail(client, "editor", 5, address="10.0.0.1")

    assert log_in(client, "editor", PASSWORD, address="10.0.0.2").status_code == 429
    # Another account from another address is unaffected.
    assert logged_in(log_in(client, "reviewer", PASSWORD, address="10.0.0.2"))


def test_guessing_across_accounts_locks_the_address(client, editor, reviewer, now):
    for name in ["admin", "root", "editor", "test", "user"]:
        fail(client, name, 1, address="10.0.0.9")

    # No account had five failures, but the address did: every login from it is refused.
    assert log_in(client, "reviewer", PASSWORD, address="10.0.0.9").status_code == 429
    assert logged_in(log_in(client, "reviewer", PASSWORD, address="10.0.0.8"))

    call_command("axes_reset_ip", "10.0.0.9")

    client.logout()
    assert logged_in(log_in(client, "reviewer", PASSWORD, address="10.0.0.9"))


def test_locking_an_account_only_from_the_guessing_address_when_so_configured(
    client, editor, settings, now
):
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    fail(client, "editor", 5, address="10.0.0.1")

    assert log_in(client, "editor", PASSWORD, address="10.0.0.1").status_code == 429
    assert logged_in(log_in(client, "editor", PASSWORD, address="10.0.0.2"))


def test_without_trusted_proxies_a_forged_forwarded_header_changes_nothing(
    client, editor, reviewer, now
):
    for number, name in enumerate(["a", "b", "c", "d", "e"]):
        fail(client, name, 1, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    # All five came from 127.0.0.1 whatever the header said: that address is locked.
    response = log_in(client, "reviewer", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_declared_proxy_each_client_is_counted_on_its_own(
    client, editor, reviewer, settings, now
):
    settings.TRUSTED_PROXY_COUNT = 1
    # Every request reaches the web server from the proxy at 127.0.0.1; the proxy appends
    # the address it saw, after whatever the client wrote itself.
    for name in ["a", "b", "c", "d", "e"]:
        fail(client, name, 1, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")

    blocked = log_in(client, "reviewer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert blocked.status_code == 429
    assert logged_in(log_in(client, "reviewer", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6"))


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "127.0.0.1", "203.0.113.5", "127.0.0.1"),
        (1, "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (1, "127.0.0.1", "10.9.9.9, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.2", "10.9.9.9, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (2, "127.0.0.1", "203.0.113.5", "127.0.0.1"),
        (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
        (1, "127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_the_lockout_page_follows_the_chosen_language(client, editor, now):
    client.cookies["django_language"] = "en"

    response = fail(client, "editor", 5)[-1]

    assert response.status_code == 429
    assert (
        "Too many failed sign-ins: this account or this address is locked for now. "
        "Try again in 15 minutes, or ask an administrator to unlock it."
    ) in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_embedded_web_server_locks_and_ignores_a_forged_forwarded_header():
    admin_user("editor")
    admin_user("reviewer")
    server = GunicornProcess(name="login").start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as browser:
            page = browser.get(LOGIN).text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]

            def post(username, password, forwarded):
                return browser.post(
                    LOGIN,
                    data={"username": username, "password": password, "next": "/admin/",
                          "csrfmiddlewaretoken": csrf},
                    headers={"X-Forwarded-For": forwarded},
                )  # fmt: skip

            failures = [post("editor", "wrong", f"198.51.100.{n}") for n in range(5)]
            other_account = post("reviewer", PASSWORD, "198.51.100.99")
    finally:
        server.stop()

    assert [response.status_code for response in failures] == [200, 200, 200, 200, 429]
    assert LOCKED in failures[-1].text
    # gunicorn on 127.0.0.1 with no declared proxy: every request is from 127.0.0.1,
    # whatever X-Forwarded-For claims, so the address is locked for the other account too.
    assert other_account.status_code == 429
