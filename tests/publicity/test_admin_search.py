"""Admin search finds Chinese text: the page explorer, the page chooser, images, documents and
snippets, searched by an editor of the 编辑 group through the real admin views."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import TextField, Value
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.search.backends import get_search_backend

from publicity import search_backend
from publicity.models import ArticlePage, KeyDate, Theme
from tests.support.roles import user_in_role

pytestmark = pytest.mark.django_db

VISIT = "新春走访慰问驻地部队和优抚对象"
BAYI = "2026年八一建军节座谈会"
FISH = "军民共建活动纪实"
SCREENS = "LED screens installed downtown"
THANKS = "致全县退役军人的一封信"


@pytest.fixture
def pages(tree):
    """Five articles; only 致全县退役军人的一封信 mentions 慰问, and only in its body."""
    return {
        title: tree.article(title, summary=summary, body=body)
        for title, summary, body in [
            (VISIT, "为驻地官兵送去节日祝福。", ""),
            (BAYI, "老兵代表畅谈强军故事。", ""),
            (FISH, "", "当地群众与部队官兵共叙鱼水情深。"),
            (SCREENS, "Outdoor screens show the column.", ""),
            (THANKS, "", "向各位退役军人致以诚挚慰问。慰问信附后，慰问品已送达。"),
        ]
    }


@pytest.fixture
def bianji(db):
    """An editor: the 编辑 group, not a superuser."""
    user = get_user_model().objects.create_user("bianji", password="x")
    user.groups.add(Group.objects.get(name="编辑"))
    return user


@pytest.fixture
def editor(client, bianji):
    client.force_login(bianji)
    return client


def listed(response, key="pages"):
    assert response.status_code == 200
    return [item.title if hasattr(item, "title") else item.name for item in response.context[key]]


def page_search(client, query):
    return listed(client.get("/admin/pages/search/", {"q": query}))


def test_page_explorer_finds_two_characters_inside_a_longer_title(editor, pages):
    response = editor.get("/admin/pages/search/", {"q": "慰问"})
    assert VISIT in response.content.decode()
    # The title hit comes before the page that says 慰问 only in its body.
    assert listed(response) == [VISIT, THANKS]
    assert page_search(editor, "优抚") == [VISIT]
    assert page_search(editor, "走访慰问驻地") == [VISIT]
    assert page_search(editor, "慰") == [VISIT, THANKS]


def test_page_explorer_finds_text_of_the_summary_and_body(editor, pages):
    assert page_search(editor, "鱼水情") == [FISH]
    assert page_search(editor, "节日祝福") == [VISIT]


def test_characters_that_are_not_adjacent_do_not_match(editor, pages):
    # 走访 and 部队 are both in the title, but 走访部队 is not.
    assert page_search(editor, "走访部队") == []
    assert page_search(editor, "走访 部队") == [VISIT]


def test_numbers_and_latin_words_mix_with_chinese(editor, pages):
    assert page_search(editor, "2026 八一") == [BAYI]
    assert page_search(editor, "2026年") == [BAYI]
    assert page_search(editor, "八一 2025") == []
    assert page_search(editor, "screens") == [SCREENS]
    assert page_search(editor, "LED") == [SCREENS]
    # Autocomplete: the last Latin word may be cut short.
    assert page_search(editor, "scree") == [SCREENS]
    assert page_search(editor, "ＬＥＤ") == [SCREENS]
    assert page_search(editor, '"走访慰问"') == [VISIT]


def test_a_query_with_no_match_lists_nothing(editor, pages):
    response = editor.get("/admin/pages/search/", {"q": "航天"})
    assert listed(response) == []
    assert VISIT not in response.content.decode()


def test_page_chooser_search(editor, pages):
    response = editor.get("/admin/choose-page/search/", {"q": "慰问"})
    assert VISIT in response.content.decode()
    assert listed(response) == [VISIT, THANKS]
    assert listed(editor.get("/admin/choose-page/search/", {"q": "建军"})) == [BAYI]
    assert listed(editor.get("/admin/choose-page/search/", {"q": "航天"})) == []


def test_images_and_documents_by_chinese_title(editor, bianji):
    # The listings show an editor what they uploaded; the chooser shows every image.
    for title in ["八一慰问演出剧照", "国防教育展板"]:
        get_image_model().objects.create(
            title=title, file=get_test_image_file(), uploaded_by_user=bianji
        )
    for title in ["双拥模范城创建方案", "拥军优属政策汇编"]:
        document = get_document_model()(title=title, uploaded_by_user=bianji)
        document.file.save("plan.txt", ContentFile("方案".encode()), save=False)
        document.save()

    response = editor.get("/admin/images/", {"q": "慰问"})
    assert "八一慰问演出剧照" in response.content.decode()
    assert listed(response, "object_list") == ["八一慰问演出剧照"]
    assert listed(editor.get("/admin/images/chooser/results/", {"q": "展板"}), "results") == [
        "国防教育展板"
    ]
    assert listed(editor.get("/admin/documents/", {"q": "模范城"}), "object_list") == [
        "双拥模范城创建方案"
    ]
    assert listed(editor.get("/admin/documents/", {"q": "航天"}), "object_list") == []


def test_snippet_listings_search_in_chinese(client, tree):
    group = Group.objects.create(name="测试：主题维护")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["wagtailadmin", "publicity"],
            codename__in=["access_admin", "view_theme", "change_theme", "view_keydate"],
        )
    )
    user = get_user_model().objects.create_user("zhuti", password="x")
    user.groups.add(group)
    client.force_login(user)
    Theme.objects.create(name="国防教育", slug="defence", description="全民国防教育日专题")
    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    KeyDate.objects.create(name="全民国防教育日", month=9, weekday=5, week_of_month=3)

    themes = "/admin/snippets/publicity/theme/"
    assert listed(client.get(themes, {"q": "国防"}), "object_list") == ["国防教育"]
    assert listed(client.get(themes, {"q": "教育日"}), "object_list") == ["国防教育"]
    assert listed(client.get(themes, {"q": "优属"}), "object_list") == ["拥军优属"]
    assert listed(client.get(themes, {"q": "航天"}), "object_list") == []
    key_dates = "/admin/snippets/publicity/keydate/"
    assert listed(client.get(key_dates, {"q": "建军"}), "object_list") == ["八一建军节"]


def test_a_user_without_page_permissions_finds_nothing(client, pages):
    client.force_login(user_in_role("仅后台访问"))
    for url in ["/admin/pages/search/", "/admin/choose-page/search/"]:
        response = client.get(url, {"q": "慰问"})
        assert response.status_code in (302, 403)
        assert VISIT not in response.content.decode()


def test_an_index_written_before_chinese_was_split_is_rebuilt_by_migrate(pages):
    backend = get_search_backend()
    assert not search_backend.index_is_stale()
    # As the index of an older version holds it: the run of characters as one word.
    unsplit = Value(VISIT, output_field=TextField())
    if connection.vendor == "postgresql":
        unsplit = SearchVector(unsplit, config="simple")
    search_backend.IndexEntry.objects.update(title=unsplit, autocomplete=unsplit, body=unsplit)
    assert search_backend.index_is_stale()
    assert list(backend.autocomplete("优抚", ArticlePage)) == []

    call_command("migrate", verbosity=0)

    assert not search_backend.index_is_stale()
    assert [page.title for page in backend.autocomplete("优抚", ArticlePage)] == [VISIT]
    assert [page.title for page in backend.search("驻地", ArticlePage)] == [VISIT]
