"""An outlet's API secret is write-only in the admin: never rendered back anywhere, kept when
the field is left empty, replaced by a new value, removed only on request."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import ModelLogEntry

from media_schedule.models import Outlet

pytestmark = pytest.mark.django_db

SECRET = "wx-app-secret-4f9c2a7e1b"
PASSWORD = "correct-horse-battery-staple"


def user_with(username: str, *codenames: str):
    group = Group.objects.create(name=f"测试：{username}")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", *codenames]),
    )
    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    user.groups.add(group)
    return user


@pytest.fixture
def outlet_manager(client):
    """The editor who looks after the outlets (发布渠道)."""
    client.force_login(user_with("outlets", "view_outlet", "add_outlet", "change_outlet"))
    return client


@pytest.fixture
def wechat():
    return Outlet.objects.create(
        name="示范县发布",
        kind=Outlet.Kind.WECHAT,
        config={"app_id": "wx1234567890abcdef", "base_url": "https://api.example.cn"},
        secret=SECRET,
        notes="县委宣传部公众号",
    )


def form_data(outlet: Outlet, **changes) -> dict:
    data = {
        "name": outlet.name,
        "medium": outlet.medium,
        "is_active": "on",
        "secret": "",
        "notes": outlet.notes,
        **{f"config-{key}": value for key, value in outlet.config.items()},
    }
    data.update(changes)
    return data


def edit_url(outlet: Outlet) -> str:
    return reverse("media_schedule_outlet:edit", args=[outlet.pk])


def test_the_edit_page_says_a_secret_is_set_but_never_shows_it(outlet_manager, wechat):
    response = outlet_manager.get(edit_url(wechat))

    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in html
    assert "已设置（留空则不变）" in html
    assert '<input type="password" name="secret"' in html
    assert 'name="clear_secret"' in html


def test_an_outlet_without_a_secret_says_so(outlet_manager):
    outlet = Outlet.objects.create(name="县广播电台", kind=Outlet.Kind.RADIO)

    html = outlet_manager.get(edit_url(outlet)).content.decode()

    assert "未设置。" in html
    assert "已设置（留空则不变）" not in html
    assert 'name="clear_secret"' not in html


def test_saving_with_the_field_empty_keeps_the_secret(outlet_manager, wechat):
    response = outlet_manager.post(edit_url(wechat), form_data(wechat, notes="改了备注"))

    assert response.status_code == 302
    wechat.refresh_from_db()
    assert wechat.notes == "改了备注"
    assert wechat.secret == SECRET


def test_a_new_value_replaces_the_secret(outlet_manager, wechat):
    response = outlet_manager.post(edit_url(wechat), form_data(wechat, secret=" new-secret-77 "))

    assert response.status_code == 302
    wechat.refresh_from_db()
    assert wechat.secret == "new-secret-77"


def test_the_clear_box_removes_the_secret(outlet_manager, wechat):
    response = outlet_manager.post(edit_url(wechat), form_data(wechat, clear_secret="on"))

    assert response.status_code == 302
    wechat.refresh_from_db()
    assert wechat.secret == ""


def test_a_new_secret_and_the_clear_box_together_are_refused(outlet_manager, wechat):
    response = outlet_manager.post(
        edit_url(wechat), form_data(wechat, secret="typed-secret-31", clear_secret="on")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "填写新密钥时不能同时清除密钥。" in html
    # The refused form does not echo what was typed, nor the stored secret.
    assert "typed-secret-31" not in html and SECRET not in html
    wechat.refresh_from_db()
    assert wechat.secret == SECRET


def test_a_refused_form_does_not_echo_a_typed_secret(outlet_manager, wechat):
    response = outlet_manager.post(
        edit_url(wechat), form_data(wechat, name="", secret="typed-secret-32")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "typed-secret-32" not in html and SECRET not in html
    wechat.refresh_from_db()
    assert wechat.secret == SECRET


def test_adding_an_outlet_with_a_secret(outlet_manager):
    data = {
        "name": "示范县融媒",
        "medium": "",
        "is_active": "on",
        "config-app_id": "wx00000000000000a2",
        "config-base_url": "https://api.weixin.qq.com",
        "secret": "first-secret-1",
        "notes": "",
    }

    response = outlet_manager.post(reverse("media_schedule_outlet:add") + "?kind=wechat", data)

    assert response.status_code == 302
    assert Outlet.objects.get(name="示范县融媒").secret == "first-secret-1"


def test_the_secret_appears_nowhere_in_the_outlet_admin(outlet_manager, wechat):
    outlet_manager.post(edit_url(wechat), form_data(wechat, notes="改了备注"))
    outlet_manager.post(edit_url(wechat), form_data(wechat, secret="second-secret-8"))
    pages = {
        "index": reverse("media_schedule_outlet:index"),
        "search": reverse("media_schedule_outlet:index") + "?q=示范",
        "csv": reverse("media_schedule_outlet:index") + "?export=csv",
        "xlsx": reverse("media_schedule_outlet:index") + "?export=xlsx",
        "edit": edit_url(wechat),
        "history": reverse("media_schedule_outlet:history", args=[wechat.pk]),
    }

    for name, url in pages.items():
        response = outlet_manager.get(url)
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert SECRET.encode() not in body, name
        assert b"second-secret-8" not in body, name
    entries = ModelLogEntry.objects.filter(object_id=str(wechat.pk))
    assert entries.count() == 2
    assert all("second-secret-8" not in json.dumps(entry.data) for entry in entries)


def test_the_delete_confirmation_does_not_show_the_secret(client, wechat):
    client.force_login(user_with("deleter", "view_outlet", "delete_outlet"))

    response = client.get(reverse("media_schedule_outlet:delete", args=[wechat.pk]))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_a_user_without_the_outlet_permission_cannot_open_the_form(client, wechat):
    client.force_login(user_with("nobody"))

    response = client.get(edit_url(wechat))

    assert response.status_code in {302, 403}
    assert SECRET not in response.content.decode()
