"""People in a Chinese office have one 姓名 and may have no e-mail: neither is demanded when
an administrator sets a reviewer's password, nor when someone saves their own preferences."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.support.browser import chromium, log_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xin-Mima-2026-bayi"


@pytest.fixture
def reviewer():
    user = get_user_model().objects.create_user(username="chushen", password="old-password-1")
    user.groups.add(Group.objects.get(name="初审"))
    return user


@pytest.fixture
def user_admin(client):
    """The office's account administrator: admin access and user management, nothing else."""
    group = Group.objects.create(name="账号管理")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["auth", "wagtailadmin"],
            codename__in=["access_admin", "add_user", "change_user"],
        )
    )
    user = get_user_model().objects.create_user(username="zhanghao", password="pw-1")
    user.groups.add(group)
    client.force_login(user)
    return client


def form_data(html: str) -> dict[str, str]:
    """The values of a page's text inputs, selects and checked boxes, as a browser sends them."""
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or (kind and kind.group(1) in ("submit", "file")):
            continue
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = selected.group(1) if selected else ""
    return data


def test_the_user_form_asks_for_one_optional_name(user_admin, reviewer):
    html = user_admin.get(reverse("wagtailusers_users:edit", args=[reviewer.pk])).content.decode()

    assert "姓名" in html
    assert 'name="first_name"' in html
    assert 'name="last_name"' not in html


def test_an_administrator_sets_a_reviewers_password_without_name_or_email(user_admin, reviewer):
    url = reverse("wagtailusers_users:edit", args=[reviewer.pk])
    data = form_data(user_admin.get(url).content.decode())
    data.update(first_name="", email="", password1=NEW_PASSWORD, password2=NEW_PASSWORD)

    response = user_admin.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW_PASSWORD)
    assert (reviewer.first_name, reviewer.last_name, reviewer.email) == ("", "", "")
    assert reviewer.groups.filter(name="初审").exists()


def test_an_administrator_creates_a_user_with_a_chinese_name_only(user_admin):
    data = form_data(user_admin.get(reverse("wagtailusers_users:add")).content.decode())
    data.update(
        username="fushen2",
        first_name="李秀英",
        email="",
        password1=NEW_PASSWORD,
        password2=NEW_PASSWORD,
    )
    data["groups"] = str(Group.objects.get(name="复审").pk)

    response = user_admin.post(reverse("wagtailusers_users:add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    created = get_user_model().objects.get(username="fushen2")
    assert (created.get_full_name(), created.email) == ("李秀英", "")


def test_a_reviewer_saves_a_language_preference_with_no_name_or_email(client, reviewer):
    client.force_login(reviewer)
    url = reverse("wagtailadmin_account")
    data = form_data(client.get(url).content.decode())
    data["locale-preferred_language"] = "en"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert UserProfile.get_for_user(reviewer).preferred_language == "en"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_account_page_works_in_the_browser(live_server):
    user = get_user_model().objects.create_user(username="fushen", password=NEW_PASSWORD)
    user.groups.add(Group.objects.get(name="复审"))
    problems = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        log_in(page, live_server.url, "fushen", NEW_PASSWORD)
        page.goto(f"{live_server.url}/admin/account/")
        page.wait_for_load_state("networkidle")
        page.get_by_role("textbox", name="姓名", exact=True).fill("周建国")
        page.get_by_role("button", name="保存").first.click()
        page.wait_for_load_state("networkidle")

    user.refresh_from_db()
    assert user.get_full_name() == "周建国"
    assert problems == []
