"""Admin forms of the 双拥宣传 snippets that are more than their model's fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .campaign_targets import Target, describe, parse_target
from .models import CampaignTarget


class CampaignForm(WagtailAdminModelForm):
    """A campaign with its targets typed one per line as people say them."""

    targets_text = forms.CharField(
        label=_("宣传目标"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "每行一条，例如：电视每周至少 2 条、广播每天 1 次、报纸活动期内 3 篇、"
            "网络每周 3 条、户外屏全程滚动。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["targets_text"] = "\n".join(
                describe(target.as_target()) for target in self.instance.targets.all()
            )

    def clean_targets_text(self) -> list[Target]:
        targets: list[Target] = []
        errors = []
        seen: dict[tuple[str, str], int] = {}
        lines = [line.strip() for line in self.cleaned_data["targets_text"].splitlines()]
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            try:
                target = parse_target(line)
            except ValidationError as error:
                errors.append(
                    gettext("第 %(line)d 行：%(error)s")
                    % {"line": number, "error": error.messages[0]}
                )
                continue
            key = (target.medium, target.per)
            if key in seen:
                errors.append(
                    gettext("第 %(line)d 行与第 %(first)d 行是同一媒介、同一期间的目标，请合并。")
                    % {"line": number, "first": seen[key]}
                )
                continue
            seen[key] = number
            targets.append(target)
        if errors:
            raise ValidationError(errors)
        return targets

    def _save_m2m(self):
        super()._save_m2m()
        # Targets are replaced as a whole: the text box is the one place they are edited.
        self.instance.targets.all().delete()
        CampaignTarget.objects.bulk_create(
            CampaignTarget(campaign=self.instance, medium=t.medium, count=t.count, per=t.per)
            for t in self.cleaned_data.get("targets_text", [])
        )
