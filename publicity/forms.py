"""Admin forms of the 双拥宣传 snippets that are more than their model's fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .campaign_targets import Target, describe, parse_targets
from .models import CampaignTarget


class CampaignForm(WagtailAdminModelForm):
    """A campaign with its targets typed one per line as people say them."""

    targets_text = forms.CharField(
        label=_("宣传目标"),
        required=False,
        max_length=2000,
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
        return parse_targets(self.cleaned_data["targets_text"])

    def _save_m2m(self):
        super()._save_m2m()
        # Targets are replaced as a whole: the text box is the one place they are edited.
        self.instance.targets.all().delete()
        CampaignTarget.objects.bulk_create(
            CampaignTarget(campaign=self.instance, medium=t.medium, count=t.count, per=t.per)
            for t in self.cleaned_data.get("targets_text", [])
        )
