"""Wagtail admin views that check no permission themselves: choosers, the admin API, and the
move and cancel-workflow confirmations. Admin access alone opens none of them; the roles that
edit keep them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page

from publicity.models import ArticlePage, ColumnPage, HomePage

pytestmark = pytest.mark.django_db

SECRET = "内部演练方案"
XHR = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def pages():
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="示范县双拥网", slug="sy-home"))
    news = home.add_child(instance=ColumnPage(title="双拥动态", slug="news"))
    internal = home.add_child(instance=ColumnPage(title=f"{SECRET}栏目", slug="internal"))
    draft = news.add_child(instance=ArticlePage(title=f"{SECRET}稿", slug="draft", live=False))
    return {"home": home, "news": news, "internal": internal, "draft": draft}


def login(client, name, *codenames, page=None):
    group = Group.objects.create(name=name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(codename__in=codenames),
    )
    if page is not None:
        for codename in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.create(
                group=group, page=page, permission=Permission.objects.get(codename=codename)
            )
    user = get_user_model().objects.create_user(username=name, password="x")
    user.groups.add(group)
    client.force_login(user)


def urls(pages):
    draft, internal, news = pages["draft"], pages["internal"], pages["news"]
    return {
        "page chooser": f"/admin/choose-page/{internal.pk}/",
        "page chooser search": "/admin/choose-page/search/?q=演练",
        "admin api": f"/admin/api/main/pages/?child_of={news.pk}",
        "snippet chooser": "/admin/snippets/choose/publicity/campaign/",
        "tag autocomplete": "/admin/tag-autocomplete/?term=a",
        "move confirmation": f"/admin/pages/{draft.pk}/move/{internal.pk}/confirm/",
        "cancel confirmation": f"/admin/pages/workflow/confirm_cancellation/{draft.pk}/",
    }


def test_admin_access_alone_opens_no_chooser_api_or_confirmation(client, pages):
    login(client, "admin-only")

    answers = {name: client.get(url, headers=XHR) for name, url in urls(pages).items()}

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 403)
    assert not any(SECRET in r.content.decode() for r in answers.values())


def test_a_role_that_edits_something_keeps_the_choosers(client, pages):
    login(client, "scheduler", "add_placement", "change_placement", "view_placement")

    chooser = client.get(f"/admin/choose-page/{pages['news'].pk}/", headers=XHR)
    move = client.get(urls(pages)["move confirmation"])

    assert chooser.status_code == 200
    assert move.status_code == 302, "moving pages still needs page permissions"


def test_an_editor_of_the_tree_moves_pages(client, pages):
    login(client, "editor", page=pages["home"])

    move = client.get(urls(pages)["move confirmation"])
    cancel = client.get(urls(pages)["cancel confirmation"], headers=XHR)

    assert move.status_code == 200 and f"{SECRET}稿" in move.content.decode()
    assert cancel.status_code == 200
