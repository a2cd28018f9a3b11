"""User forms for a Chinese office: one 姓名 (optional) instead of first and last name, and
an optional e-mail address, in the user admin and on the account page.

Wagtail requires first name, last name and e-mail everywhere, so an administrator could not
set a reviewer's password, nor a user save a language preference, without inventing a
surname and an address.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.account import NameEmailForm
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

NAME_LABEL = _("姓名")


def _one_optional_name(fields) -> None:
    fields.pop("last_name", None)
    fields["first_name"].label = NAME_LABEL
    fields["first_name"].required = False
    if "email" in fields:
        fields["email"].required = False


class PersonCreationForm(UserCreationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _one_optional_name(self.fields)


class PersonEditForm(UserEditForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _one_optional_name(self.fields)


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return PersonEditForm if for_update else PersonCreationForm


def relax_account_form() -> None:
    """The account page's name form: one optional 姓名 and an optional e-mail address.

    Wagtail builds that panel with ``NameEmailForm`` itself (no setting chooses another
    form), so its fields are changed in place once, at start-up.
    """
    _one_optional_name(NameEmailForm.base_fields)
