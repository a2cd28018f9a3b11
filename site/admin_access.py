"""Permission checks for the Wagtail admin views that make none of their own.

Admin access alone opens Wagtail's choosers and autocompletes (which list every page title,
drafts and restricted pages included, every snippet, and fetch embeds from outside), the admin
API behind the page explorer, and two page confirmations that show titles before checking
anything (moving a page, cancelling a workflow on publish). A chooser serves an edit form: a
user who may add or change nothing has no form to choose for, so these views refuse such a
user, and the two confirmations ask for the page permission the action needs.
"""

from wagtail.admin.auth import permission_denied
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page

CHOOSER_WORDS = ("choose", "chosen", "autocomplete")
CHOOSER_NAMESPACES = ("wagtailembeds", "wagtailadmin_api")


def can_edit_something(user) -> bool:
    """Whether ``user`` may add or change anything: a model, pages, or a collection's images
    and documents."""
    if user.is_superuser:
        return True
    codenames = (permission.partition(".")[2] for permission in user.get_all_permissions())
    if any(codename.startswith(("add_", "change_")) for codename in codenames):
        return True
    groups = user.groups.all()
    return (
        GroupPagePermission.objects.filter(group__in=groups).exists()
        or GroupCollectionPermission.objects.filter(group__in=groups).exists()
    )


def _is_chooser(match) -> bool:
    if match.namespaces and match.namespaces[0] in CHOOSER_NAMESPACES:
        return True
    return any(word in match.view_name for word in CHOOSER_WORDS)


def _page_allows(user, kwargs, check) -> bool:
    page = Page.objects.filter(pk=kwargs.get("page_id") or kwargs.get("page_to_move_id")).first()
    # A missing page is the view's to answer (404).
    return page is None or check(page.permissions_for_user(user))


def _can_move(user, kwargs) -> bool:
    destination = Page.objects.filter(pk=kwargs.get("destination_id")).first()
    return destination is None or _page_allows(
        user, kwargs, lambda permissions: permissions.can_move_to(destination)
    )


PAGE_CHECKS = {
    "wagtailadmin_pages:move_confirm": _can_move,
    "wagtailadmin_pages:confirm_workflow_cancellation": lambda user, kwargs: _page_allows(
        user, kwargs, lambda permissions: permissions.can_edit()
    ),
}


class AdminAccessMiddleware:
    """Refuse the unchecked admin views to signed-in users who may not use them; anonymous
    visitors are left to Wagtail, which sends them to the login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated or user.is_superuser:
            return None
        check = PAGE_CHECKS.get(match.view_name)
        if check is not None and not check(user, view_kwargs):
            return permission_denied(request)
        if _is_chooser(match) and not can_edit_something(user):
            return permission_denied(request)
        return None
