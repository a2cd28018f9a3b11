"""Files an outlet takes (a print-ready copy, a poster), offered beside its preview and made
when asked for: a scheduler downloads them, anyone else is refused, an unknown name is 404.

A small print outlet registered through ``OUTREACH_CHANNELS`` stands in for the newspaper and
bulletin-board kinds here."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from media_schedule.channels.base import Channel, DeliveryMode, OutletFile
from media_schedule.models import Outlet, Placement
from tests.support.roles import user_in_role
from tests.support.schedule_pages import approved_article

pytestmark = pytest.mark.django_db

PRINT_CHANNEL = "tests.media_schedule.test_outlet_files.PrintCopyChannel"


class PrintCopyChannel(Channel):
    """A print outlet: the headline and summary as a text copy and as a tiny PDF-like file."""

    kind = "newspaper"
    delivery_mode = DeliveryMode.MANUAL

    def build_version(self, page):
        return {"headline": page.title, "text": page.summary}

    def preview(self, version, *, outlet=None, page=None):
        return format_html('<p class="print-headline">{}</p>', version["headline"])

    def files(self, version, *, outlet=None, page=None):
        copy = f"{version['headline']}\n\n{version['text']}\n"
        return [
            OutletFile(
                "付印稿.txt", "付印稿（文本）", "text/plain; charset=utf-8", lambda: copy.encode()
            ),
            OutletFile(
                "proof.pdf", "校样 PDF", "application/pdf", lambda: b"%PDF-1.7\n" + copy.encode()
            ),
        ]


@pytest.fixture(autouse=True)
def _print_channel(settings):
    settings.OUTREACH_CHANNELS = {"newspaper": PRINT_CHANNEL}


@pytest.fixture
def newspaper():
    return Outlet.objects.create(name="示范县报", kind=Outlet.Kind.NEWSPAPER)


@pytest.fixture
def article():
    return approved_article("八一建军节拥军优属座谈会召开")


def editor():
    user = get_user_model().objects.create_user(username="editor")
    user.groups.add(Group.objects.get(name="编辑"))
    return user


def file_url(page, outlet, name: str) -> str:
    return reverse("media_schedule_outlet_file", args=[page.pk, outlet.pk, name])


def preview_html(client, page, outlet) -> str:
    due = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    response = client.post(
        reverse("media_schedule_page", args=[page.pk]),
        {"outlet_0": outlet.pk, "due_at_0": due, "preview": "1"},
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["排期员", "编辑"])
def test_the_preview_offers_each_file_and_each_link_downloads_it(client, article, newspaper, who):
    client.force_login(user_in_role("排期员") if who == "排期员" else editor())

    html = preview_html(client, article, newspaper)

    assert '<p class="print-headline">八一建军节拥军优属座谈会召开</p>' in html
    links = re.findall(r'<a class="button[^"]*" href="([^"]+)" download>([^<]+)</a>', html)
    assert [label for _href, label in links] == ["付印稿（文本）", "校样 PDF"]
    for href, _label in links:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Disposition"].startswith("attachment;")
        # Made from the item as it is now (the admin never caches): an edit shows at once.
        assert "no-store" in response["Cache-Control"]
    text = client.get(links[0][0])
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert "付印稿.txt" in unquote(text["Content-Disposition"])
    assert text.content.decode().startswith("八一建军节拥军优属座谈会召开\n")
    pdf = client.get(links[1][0])
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="proof.pdf"'
    assert pdf.content.startswith(b"%PDF-")


def test_an_unknown_file_name_is_not_found(client, article, newspaper):
    client.force_login(user_in_role("排期员"))

    assert client.get(file_url(article, newspaper, "别的文件.txt")).status_code == 404
    website = Outlet.objects.create(name="县政府网站双拥专栏", kind=Outlet.Kind.WEBSITE)
    assert client.get(file_url(article, website, "付印稿.txt")).status_code == 404


@pytest.mark.parametrize("role", ["仅后台访问", "anonymous"])
def test_others_are_refused_the_files(client, article, newspaper, role):
    if role != "anonymous":
        client.force_login(user_in_role(role))

    response = client.get(file_url(article, newspaper, "付印稿.txt"))

    assert response.status_code in (302, 403)
    assert "八一建军节" not in response.content.decode()


def test_a_placements_files_are_made_from_the_version_it_saved(client, article, newspaper):
    client.force_login(user_in_role("排期员"))
    placement = Placement.objects.create(
        page=article,
        outlet=newspaper,
        due_at=timezone.now(),
        version={"headline": "排期时的标题", "text": "排期时的摘要"},
    )

    html = client.get(
        reverse("media_schedule_placement:inspect", args=[placement.pk])
    ).content.decode()
    href = reverse("media_schedule_placement_file", args=[placement.pk, "付印稿.txt"])

    assert f'href="{href}"' in html
    assert '<p class="print-headline">排期时的标题</p>' in html
    assert client.get(href).content.decode() == "排期时的标题\n\n排期时的摘要\n"
    missing = reverse("media_schedule_placement_file", args=[placement.pk, "nope.txt"])
    assert client.get(missing).status_code == 404
    client.force_login(user_in_role("仅后台访问", username="nobody"))
    assert client.get(href).status_code in (302, 403)
