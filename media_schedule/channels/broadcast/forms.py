"""Admin forms of the broadcast pages: the slot editor (with the next occurrences shown as the
rule is typed), placing and filling, the script editor and the as-run upload."""

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from publicity.models import ArticlePage, Campaign, Theme

from .models import BroadcastSlot, ItemType
from .occurrences import slot_overlap
from .recurrence import RuleError, local_zone, parse_rule


class SlotForm(WagtailAdminModelForm):
    """The slot editor; ``slot_preview.js`` asks the preview endpoint for the next
    occurrences whenever the rule, time or dates change."""

    class Meta:
        model = BroadcastSlot
        fields = [
            "outlet",
            "name",
            "rule",
            "start_time",
            "length_seconds",
            "capacity_seconds",
            "starts_on",
            "ends_on",
            "presenter",
            "is_active",
        ]

    class Media:
        js = ["broadcast/slot_preview.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].widget.attrs["data-slot-preview-url"] = reverse_lazy(
            "broadcast_admin:slot_preview"
        )

    def clean(self):
        cleaned = super().clean()
        fields = ("outlet", "rule", "start_time", "length_seconds", "starts_on")
        if self.errors or not all(cleaned.get(name) for name in fields):
            return cleaned
        if not cleaned.get("is_active"):
            return cleaned
        typed = BroadcastSlot(
            pk=self.instance.pk,
            outlet=cleaned["outlet"],
            name=cleaned.get("name") or "",
            rule=cleaned["rule"],
            start_time=cleaned["start_time"],
            length_seconds=cleaned["length_seconds"],
            capacity_seconds=cleaned.get("capacity_seconds") or 1,
            starts_on=cleaned["starts_on"],
            ends_on=cleaned.get("ends_on"),
        )
        start = datetime.datetime.combine(
            max(timezone.localdate(), typed.starts_on), datetime.time(), tzinfo=local_zone()
        )
        overlap = slot_overlap(typed, start=start)
        if overlap is not None:
            other, occurrence = overlap
            raise forms.ValidationError(
                gettext(
                    "与本渠道的时段“%(other)s”在 %(when)s 的场次时间重叠，请调整开始时间或长度。"
                )
                % {
                    "other": other.name,
                    "when": formats.date_format(
                        timezone.localtime(occurrence.start), gettext("Y年n月j日 H:i")
                    ),
                }
            )
        return cleaned

    def clean_rule(self):
        try:
            return parse_rule(self.cleaned_data["rule"])
        except RuleError as error:
            raise forms.ValidationError(str(error)) from None


class SlotPreviewForm(forms.Form):
    """The fields the occurrence preview needs (all from the slot editor as typed)."""

    rule = forms.CharField(max_length=300)
    start_time = forms.TimeField()
    starts_on = forms.DateField()
    ends_on = forms.DateField(required=False)


def _occurrence_choices(occurrences) -> list[tuple[str, str]]:
    return [
        (
            f"{occurrence.slot.pk}|{occurrence.original_start.isoformat()}",
            gettext("%(time)s %(slot)s（剩余 %(free)d 秒）")
            % {
                "time": timezone.localtime(occurrence.start).strftime("%H:%M"),
                "slot": occurrence.slot.name,
                "free": occurrence.free_seconds,
            },
        )
        for occurrence in occurrences
    ]


class PlaceForm(forms.Form):
    """Book one article into one of the day's occurrences."""

    occurrence = forms.ChoiceField(label=_("场次"))
    page = forms.ModelChoiceField(
        label=_("稿件"), queryset=ArticlePage.objects.live().order_by("-first_published_at")
    )

    def __init__(self, *args, occurrences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].choices = _occurrence_choices(occurrences)


class FillForm(forms.Form):
    """Fill one occurrence from a theme's or a campaign's approved items."""

    occurrence = forms.ChoiceField(label=_("场次"))
    theme = forms.ModelChoiceField(label=_("主题"), queryset=Theme.objects.all(), required=False)
    campaign = forms.ModelChoiceField(
        label=_("宣传活动"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, occurrences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurrence"].choices = _occurrence_choices(occurrences)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("theme") and not cleaned.get("campaign"):
            raise forms.ValidationError(_("请选择一个主题或一个宣传活动作为稿件池。"))
        return cleaned


class RadioScriptForm(forms.Form):
    """The radio script editor; the duration is shown live as the text changes."""

    script = forms.CharField(
        label=_("播音稿"),
        widget=forms.Textarea(attrs={"rows": 16, "data-broadcast-script": ""}),
        max_length=20000,
    )
    item_type = forms.ChoiceField(
        label=_("类型"), choices=[(ItemType.LIVE_READ, _("口播")), (ItemType.RECORDED, _("录音"))]
    )
    presenter = forms.CharField(label=_("播音员"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)


class TvItemForm(forms.Form):
    """A TV item: clip (upload or link), caption, the presenter's lead-in."""

    lead_in = forms.CharField(
        label=_("口播导语"),
        widget=forms.Textarea(attrs={"rows": 4, "data-broadcast-script": ""}),
        max_length=2000,
        required=False,
    )
    caption = forms.CharField(label=_("字幕"), max_length=200, required=False)
    clip = forms.FileField(label=_("上传短片"), required=False)
    clip_url = forms.URLField(
        label=_("或短片链接"), max_length=500, required=False, assume_scheme="https"
    )
    clip_seconds = forms.IntegerField(
        label=_("短片时长（秒，链接短片填写）"), min_value=0, max_value=1800, required=False
    )
    item_type = forms.ChoiceField(
        label=_("类型"),
        choices=[
            (ItemType.VT, _("VT")),
            (ItemType.CAPTION, _("字幕")),
            (ItemType.LIVE_READ, _("口播")),
        ],
    )
    presenter = forms.CharField(label=_("主持人"), max_length=100, required=False)
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)


class AsRunUploadForm(forms.Form):
    file = forms.FileField(
        label=_("播出记录（CSV 或 XLSX）"),
        help_text=_("须有“标题”和“播出情况”两列，可加“序号”“实际播出时间”“说明”。"),
    )
