"""Pages for the dispatcher tests, approved through the site's real review workflow."""

import datetime

from django.contrib.auth import get_user_model
from wagtail.models import Page, Site, WorkflowState

from publicity.models import ArticlePage, ColumnPage, HomePage


def reviewer():
    """A superuser who takes every review step (the workflow's groups are not the point here)."""
    user, _created = get_user_model().objects.get_or_create(
        username="reviewer", defaults={"is_staff": True, "is_superuser": True}
    )
    return user


def news_column() -> ColumnPage:
    """The 双拥动态 column under a home page that is the default site's root."""
    existing = ColumnPage.objects.filter(slug="schedule-news").first()
    if existing:
        return existing
    home = HomePage(title="双拥专栏", slug="schedule-home")
    Page.get_first_root_node().add_child(instance=home)
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    column = ColumnPage(title="双拥动态", slug="schedule-news")
    home.add_child(instance=column)
    return column


def draft_article(title: str = "我县开展八一走访慰问", *, slug: str | None = None) -> ArticlePage:
    """An article saved as a draft only: never reviewed, never published."""
    article = ArticlePage(
        title=title,
        slug=slug or f"schedule-{ArticlePage.objects.count() + 1}",
        summary="县领导走访慰问驻地部队官兵和优抚对象。",
        live=False,
    )
    news_column().add_child(instance=article)
    article.save_revision(user=reviewer())
    return article


def run_review(page: Page, *, approve_steps: int | None = None) -> WorkflowState:
    """Submit the latest revision to the page's workflow and approve ``approve_steps`` steps
    (all of them when ``None``); approving the last step publishes, as in the admin."""
    user = reviewer()
    workflow = page.get_workflow()
    state = workflow.start(page, user)
    approved = 0
    while state.status == WorkflowState.STATUS_IN_PROGRESS and (
        approve_steps is None or approved < approve_steps
    ):
        state.current_task_state.approve(user=user)
        state.refresh_from_db()
        approved += 1
    return state


def approved_article(
    title: str = "我县开展八一走访慰问",
    *,
    go_live_at: datetime.datetime | None = None,
    slug: str | None = None,
) -> ArticlePage:
    """An article that passed all three review steps: live, or scheduled for ``go_live_at``."""
    article = draft_article(title, slug=slug)
    if go_live_at is not None:
        article.go_live_at = go_live_at
        article.save_revision(user=reviewer())
    run_review(article)
    article.refresh_from_db()
    return article
