"""Setting an outlet up, as the person who looks after the outlets does it: choose the kind,
then fill in that kind's own settings (labelled, checked, in Chinese), never a JSON box.
Settings the form does not know are kept; the AppSecret is never shown again; editors and
users with admin access alone cannot open any of it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from media_schedule.channels import get_channel
from media_schedule.models import Outlet
from tests.support.roles import PASSWORD, user_in_role

pytestmark = pytest.mark.django_db

ADD_URL = reverse("media_schedule_outlet:add")
APP_ID = "wx5d1e0000c0ffee01"
SECRET = "app-secret-7f3e9b1c"


def edit_url(outlet: Outlet) -> str:
    return reverse("media_schedule_outlet:edit", args=[outlet.pk])


@pytest.fixture
def outlet_manager(client):
    """Whoever looks after the outlets: allowed to see, add and change them, nothing else."""
    group = Group.objects.create(name="测试：渠道管理")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "view_outlet", "add_outlet", "change_outlet"]
        )
    )
    user = get_user_model().objects.create_user(username="outlets", password=PASSWORD)
    user.groups.add(group)
    client.force_login(user)
    return client


def wechat_data(**changes) -> dict:
    data = {
        "name": "示范县双拥公众号",
        "medium": "",
        "is_active": "on",
        "notes": "",
        "secret": SECRET,
        "config-app_id": APP_ID,
        "config-account_name": "示范县双拥",
        "config-author": "县双拥办",
        "config-base_url": "https://api.weixin.qq.com/",
    }
    data.update(changes)
    return data


def errors_of(html: str) -> list[str]:
    """The text of each field's error message on a rendered form."""
    found = re.findall(r'class="error-message"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', html)
    return [message.strip() for message in found]


def test_new_outlet_starts_by_choosing_the_kind(outlet_manager):
    response = outlet_manager.get(ADD_URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "选择渠道类型" in html
    for kind in Outlet.Kind:
        assert f'href="{ADD_URL}?kind={kind.value}"' in html
        assert str(kind.label) in html
    assert "需要公众号的 AppID 和 AppSecret" in html
    assert "发送方式：自动发送，渠道即时回执" in html
    # Every kind it offers opens that kind's form.
    for kind in Outlet.Kind:
        assert outlet_manager.get(f"{ADD_URL}?kind={kind.value}").status_code == 200


def test_an_unknown_kind_goes_back_to_the_choice(outlet_manager):
    assert "选择渠道类型" in outlet_manager.get(ADD_URL + "?kind=fax").content.decode()
    response = outlet_manager.post(ADD_URL, wechat_data())
    assert response.status_code == 302 and response["Location"] == ADD_URL
    assert not Outlet.objects.exists()


def test_the_wechat_form_asks_for_the_accounts_settings_in_words(outlet_manager):
    html = outlet_manager.get(ADD_URL + "?kind=wechat").content.decode()

    assert "微信公众号设置" in html
    for label in ("AppID（开发者 ID）", "公众号名称", "默认作者", "开启留言", "接口地址"):
        assert label in html
    assert "AppSecret（开发者密码）" in html
    assert 'value="https://api.weixin.qq.com"' in html
    assert 'name="config"' not in html and "JSON" not in html
    assert f'href="{ADD_URL}"' in html  # 重新选择类型


def test_creating_a_wechat_outlet_saves_its_settings_into_config(outlet_manager):
    response = outlet_manager.post(ADD_URL + "?kind=wechat", wechat_data())

    assert response.status_code == 302
    outlet = Outlet.objects.get()
    assert outlet.kind == Outlet.Kind.WECHAT and outlet.medium == "online"
    assert outlet.secret == SECRET
    assert outlet.config == {
        "app_id": APP_ID,
        "account_name": "示范县双拥",
        "author": "县双拥办",
        "need_open_comment": False,
        "only_fans_can_comment": False,
        "base_url": "https://api.weixin.qq.com",
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"config-app_id": ""}, "请填写公众号的 AppID。"),
        (
            {"config-app_id": "wx1234567890"},
            "AppID 格式不对：应为 wx 开头、后接 16 位数字或字母 a–f，共 18 位。",
        ),
        (
            {"config-app_id": "wxZZZZ567890abcdef"},
            "AppID 格式不对：应为 wx 开头、后接 16 位数字或字母 a–f，共 18 位。",
        ),
        (
            {"config-base_url": "ftp://api.weixin.qq.com"},
            "接口地址须是以 http:// 或 https:// 开头的网址，例如 https://api.weixin.qq.com。",
        ),
        ({"config-base_url": ""}, "请填写接口地址，一般为 https://api.weixin.qq.com。"),
        (
            {"config-author": "县委宣传部双拥工作领导小组办公室新闻科"},
            "默认作者最多 16 字（现有 19 字）。",
        ),
        ({"config-only_fans_can_comment": "on"}, "请先开启留言，才能限定仅关注者留言。"),
    ],
)
def test_wrong_wechat_settings_are_refused_in_chinese(outlet_manager, changes, message):
    response = outlet_manager.post(ADD_URL + "?kind=wechat", wechat_data(**changes))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in errors_of(html)
    assert not Outlet.objects.exists()
    # What was typed stays in the form, except the secret.
    assert 'value="示范县双拥公众号"' in html
    assert SECRET not in html


def test_an_upper_case_app_id_is_accepted_as_the_platform_writes_it(outlet_manager):
    outlet_manager.post(ADD_URL + "?kind=wechat", wechat_data(**{"config-app_id": APP_ID.upper()}))

    assert Outlet.objects.get().config["app_id"] == APP_ID


@pytest.mark.parametrize(
    ("kind", "medium", "hint"),
    [
        ("website", "online", "公开地址即凭证"),
        ("led_screen", "outdoor", "在“户外显示屏”中登记屏幕的尺寸和颜色"),
    ],
)
def test_kinds_without_settings_need_only_the_common_fields(outlet_manager, kind, medium, hint):
    html = outlet_manager.get(f"{ADD_URL}?kind={kind}").content.decode()
    assert hint in html
    assert 'name="config-' not in html

    response = outlet_manager.post(
        f"{ADD_URL}?kind={kind}",
        {"name": "新渠道", "medium": "", "is_active": "on", "notes": "", "secret": ""},
    )

    assert response.status_code == 302
    outlet = Outlet.objects.get()
    assert (outlet.kind, outlet.medium, outlet.config) == (kind, medium, {})


def test_the_kind_cannot_be_changed_by_posting_another(outlet_manager):
    outlet_manager.post(ADD_URL + "?kind=wechat", wechat_data(kind="website"))

    assert Outlet.objects.get().kind == Outlet.Kind.WECHAT


@pytest.fixture
def wechat():
    return Outlet.objects.create(
        name="示范县双拥公众号",
        kind=Outlet.Kind.WECHAT,
        config={
            "app_id": APP_ID,
            "base_url": "https://api.example.cn",
            "author": "县双拥办",
            "need_open_comment": 1,
            # Not on the form: tuned by hand, kept through every save.
            "poll_attempts": 8,
            "reconcile_pages": 3,
            # A credential an older version let someone type into the visible settings.
            "legacy_token": "old-visible-token-5",
        },
        secret=SECRET,
    )


def test_editing_shows_the_stored_settings_but_never_the_secret(outlet_manager, wechat):
    html = outlet_manager.get(edit_url(wechat)).content.decode()

    assert f'value="{APP_ID}"' in html
    assert 'value="https://api.example.cn"' in html
    assert 'value="县双拥办"' in html
    assert re.search(r'<input type="checkbox" name="config-need_open_comment"[^>]*checked', html)
    assert SECRET not in html and "old-visible-token-5" not in html
    assert "已设置（留空则不变）" in html
    assert 'name="clear_secret"' in html


def test_saving_keeps_the_keys_the_form_does_not_know(outlet_manager, wechat):
    response = outlet_manager.post(
        edit_url(wechat),
        {
            "name": wechat.name,
            "medium": "online",
            "is_active": "on",
            "notes": "",
            "secret": "",
            "config-app_id": APP_ID,
            "config-base_url": "https://api.weixin.qq.com",
            "config-author": "",
        },
    )

    assert response.status_code == 302
    wechat.refresh_from_db()
    assert wechat.secret == SECRET
    assert wechat.config == {
        "app_id": APP_ID,
        "base_url": "https://api.weixin.qq.com",
        "author": "",
        "account_name": "",
        "need_open_comment": False,
        "only_fans_can_comment": False,
        "poll_attempts": 8,
        "reconcile_pages": 3,
        "legacy_token": "old-visible-token-5",
    }


def test_a_refused_edit_changes_nothing(outlet_manager, wechat):
    before = dict(wechat.config)

    response = outlet_manager.post(
        edit_url(wechat),
        {
            "name": wechat.name,
            "medium": "online",
            "is_active": "on",
            "secret": "typed-secret-9",
            "config-app_id": "wx-demo",
            "config-base_url": "https://api.weixin.qq.com",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "AppID 格式不对：应为 wx 开头、后接 16 位数字或字母 a–f，共 18 位。" in errors_of(html)
    assert "typed-secret-9" not in html and SECRET not in html
    wechat.refresh_from_db()
    assert wechat.config == before and wechat.secret == SECRET


@pytest.mark.parametrize("role", ["编辑", "仅后台访问"])
def test_editors_and_admin_access_alone_cannot_set_outlets_up(client, wechat, role):
    if role == "编辑":
        user = get_user_model().objects.create_user(username="editor")
        user.groups.add(Group.objects.get(name="编辑"))
    else:
        user = user_in_role(role)
    client.force_login(user)

    for url in (ADD_URL, ADD_URL + "?kind=wechat", edit_url(wechat)):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert SECRET not in response.content.decode()
    client.post(ADD_URL + "?kind=wechat", wechat_data(name="冒名公众号"))
    assert not Outlet.objects.filter(name="冒名公众号").exists()


def test_outlets_that_confirm_later_ask_how_long_to_wait(outlet_manager):
    hours = get_channel("led_screen").default_confirm_within_hours
    html = outlet_manager.get(ADD_URL + "?kind=led_screen").content.decode()
    assert "确认时限（小时）" in html and f'placeholder="默认 {hours} 小时"' in html
    # A push outlet answers at once: nothing to wait for, nothing to ask.
    assert "确认时限" not in outlet_manager.get(ADD_URL + "?kind=wechat").content.decode()

    outlet_manager.post(
        ADD_URL + "?kind=led_screen",
        {"name": "社区屏", "medium": "", "is_active": "on", "confirm_within_hours": "6"},
    )

    assert Outlet.objects.get().confirm_within_hours == 6
