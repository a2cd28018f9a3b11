"""Admin: the 双拥宣传 snippet listings, the consent dashboard panel and the editor warning."""

import pytest

from publicity.models import Campaign, KeyDate

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "r@example.invalid", "pw")
    client.force_login(user)
    return client


def test_snippet_listings_are_grouped_filtered_and_searchable(admin_client, tree):
    KeyDate.objects.create(name="全民国防教育日", month=9, weekday=5, week_of_month=3)
    KeyDate.objects.create(name="八一建军节", month=8, day=1)
    Campaign.objects.create(
        name="八一慰问", slug="bayi", starts_on="2026-07-10", ends_on="2026-08-01"
    )
    # The sidebar is drawn from JSON, where Chinese labels are \u-escaped.
    home = admin_client.get("/admin/").content.decode()
    assert "双拥宣传".encode("unicode_escape").decode() in home.replace("\\\\", "\\")

    listing = admin_client.get("/admin/snippets/publicity/keydate/").content.decode()
    assert "9月第三个星期六" in listing and "8月1日" in listing
    searched = admin_client.get("/admin/snippets/publicity/keydate/", {"q": "国防"})
    assert "全民国防教育日" in searched.content.decode()
    assert "八一建军节" not in searched.content.decode()
    filtered = admin_client.get("/admin/snippets/publicity/keydate/", {"month": 8})
    assert "八一建军节" in filtered.content.decode()
    assert "全民国防教育日" not in filtered.content.decode()
    assert admin_client.get("/admin/snippets/publicity/theme/").status_code == 200
    assert "八一慰问" in admin_client.get("/admin/snippets/publicity/campaign/").content.decode()


def test_dashboard_and_editor_warn_before_consent_lapses(admin_client, tree):
    soon = tree.exemplar("县人民医院", review_in_days=12)
    tree.exemplar("张德明", review_in_days=300)
    dashboard = admin_client.get("/admin/").content.decode()
    assert "同意展示即将到期" in dashboard
    assert "县人民医院" in dashboard and "张德明" not in dashboard

    editor = admin_client.get(f"/admin/pages/{soon.pk}/edit/").content.decode()
    assert "还有 12 天" in editor and "到期后页面将自动撤下" in editor


def test_bad_key_date_rule_is_refused_with_a_clear_message(admin_client):
    response = admin_client.post(
        "/admin/snippets/publicity/keydate/add/",
        {"name": "错误日期", "month": 2, "day": 30, "lead_days": 7},
    )
    assert response.status_code == 200
    assert "2月没有30日" in response.content.decode()
    assert not KeyDate.objects.filter(name="错误日期").exists()
