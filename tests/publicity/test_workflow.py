"""The 三审 workflow: created by migration, required for publishing, read by is_approved."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Workflow

from publicity.models import ArticlePage
from publicity.workflow import approved_pages, is_approved

pytestmark = pytest.mark.django_db

STEPS = ["初审", "复审", "终审"]


@pytest.fixture
def people(django_user_model):
    users = {}
    for name in ["编辑", *STEPS]:
        user = django_user_model.objects.create_user(f"user-{name}", password="pw")
        user.groups.add(Group.objects.get(name=name))
        users[name] = user
    return users


def _approve_all(page, people):
    workflow_state = page.current_workflow_state
    for step in STEPS:
        task_state = workflow_state.current_task_state
        assert task_state.task.name == step
        task_state.task.specific.on_action(task_state, people[step], "approve")
        workflow_state.refresh_from_db()


def test_migration_creates_groups_and_three_step_workflow_on_the_root():
    workflow = Workflow.objects.get(name="三审")
    assert [task.name for task in workflow.tasks] == STEPS
    for task, step in zip(workflow.tasks, STEPS, strict=True):
        assert [group.name for group in task.specific.groups.all()] == [step]
    assert Page.get_first_root_node().get_workflow() == workflow


def test_submitted_page_is_not_public_until_all_three_steps_approve(tree, client, people):
    draft = tree.article("拥军优属政策解读", publish=False)
    draft.get_workflow().start(draft, people["编辑"])
    draft = ArticlePage.objects.get(pk=draft.pk)
    assert not draft.live
    assert client.get("/news/article-1/").status_code == 404
    assert "拥军优属政策解读" not in client.get("/news/").content.decode()
    assert not is_approved(draft)

    _approve_all(draft, people)
    approved = ArticlePage.objects.get(pk=draft.pk)
    assert approved.live
    assert is_approved(approved)
    assert client.get(approved.url).status_code == 200
    assert list(approved_pages(ArticlePage.objects.all())) == [approved]


def test_rejection_at_second_step_keeps_page_off_the_site(tree, people):
    draft = tree.article("军民共建", publish=False)
    state = draft.get_workflow().start(draft, people["编辑"])
    first = state.current_task_state
    first.task.specific.on_action(first, people["初审"], "approve")
    state.refresh_from_db()
    second = state.current_task_state
    second.task.specific.on_action(second, people["复审"], "reject")
    state.refresh_from_db()
    assert state.status == state.STATUS_NEEDS_CHANGES
    assert not ArticlePage.objects.get(pk=draft.pk).live


def test_reviewers_cannot_approve_someone_elses_step(tree, people):
    draft = tree.article("国防教育", publish=False)
    state = draft.get_workflow().start(draft, people["编辑"])
    task = state.current_task_state.task.specific
    assert not task.user_can_access_editor(draft, people["终审"]) or not task.get_actions(
        draft, people["终审"]
    )
    assert task.get_actions(draft, people["初审"])


def test_publishing_around_the_workflow_is_not_approved(tree):
    article = tree.article("直接发布的文章")  # revision.publish(), no workflow
    assert article.live
    assert not is_approved(article)
    assert list(approved_pages(ArticlePage.objects.all())) == []


def test_edit_after_approval_needs_a_new_approval(tree, people):
    draft = tree.article("走访慰问", publish=False)
    draft.get_workflow().start(draft, people["编辑"])
    _approve_all(ArticlePage.objects.get(pk=draft.pk), people)
    page = ArticlePage.objects.get(pk=draft.pk)
    assert is_approved(page)
    page.title = "走访慰问（改）"
    page.save_revision().publish()
    assert not is_approved(ArticlePage.objects.get(pk=draft.pk))


def test_admin_offers_no_direct_publish_and_refuses_a_forged_one(tree, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@example.invalid", "pw")
    client.force_login(admin)
    draft = tree.article("须经三审的文章", publish=False)
    edit_url = f"/admin/pages/{draft.pk}/edit/"
    html = client.get(edit_url).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html

    form = {
        "title": "须经三审的文章",
        "slug": draft.slug,
        "publication_date": "2026-01-01 10:00",
        "body-count": "0",
        "action-publish": "action-publish",
    }
    response = client.post(edit_url, form, follow=True)
    assert "须经三审" in response.content.decode()
    assert not ArticlePage.objects.get(pk=draft.pk).live
