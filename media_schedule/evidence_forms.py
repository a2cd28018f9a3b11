"""Forms with which an editor records evidence that an item ran, or corrects a record."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateInput

from .evidence import EvidenceRefused, evidence_from_upload, evidence_from_url
from .forms import DateTimePicker

MAX_FILES = 10
ACCEPT = "image/*,application/pdf,audio/*,video/*,.amr,.3gp,.m4a"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EvidenceFields(forms.Form):
    """Files and a link, checked by content; ``evidence`` holds them ready to store."""

    files = MultipleFileField(
        label=_("证据文件"),
        required=False,
        help_text=_(
            "照片、扫描件、截图（JPEG、PNG、WebP）或 PDF，每个不超过 20 MB；"
            "录音（MP3、M4A、WAV、OGG、AMR）不超过 50 MB，录像（MP4、MOV、WebM、3GP）"
            "不超过 200 MB。可多选。"
        ),
    )
    url = forms.URLField(
        label=_("网址"),
        required=False,
        assume_scheme="https",
        help_text=_("例如电子报版面或节目回看的网址。"),
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files") or []
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("一次最多上传 %(count)d 个文件。") % {"count": MAX_FILES})
        evidence, refused = [], []
        for upload in files:
            try:
                evidence.append(evidence_from_upload(upload.name, upload))
            except EvidenceRefused as error:
                refused.append(str(error))
        for message in refused:
            self.add_error("files", message)
        if refused:
            # Nothing is kept from a refused upload: say so, so nobody assumes the good ones were.
            self.add_error("files", _("请改正后重新选择全部文件；本次未保存任何内容。"))
        if cleaned.get("url"):
            evidence.append(evidence_from_url(cleaned["url"]))
        self.evidence = evidence
        return cleaned


class EvidenceForm(EvidenceFields):
    """Evidence that a placement ran: when, where in the paper, and what shows it."""

    confirmed_at = forms.DateTimeField(
        label=_("刊播时间"),
        widget=DateTimePicker,
        help_text=_("实际见报、张贴或播出的时间（北京时间）。"),
    )
    issue_date = forms.DateField(
        label=_("刊期"), required=False, widget=AdminDateInput, help_text=_("报纸的出版日期。")
    )
    page_number = forms.CharField(
        label=_("版次"), required=False, max_length=30, help_text=_("例如“第3版”。")
    )

    field_order = ["confirmed_at", "issue_date", "page_number", "files", "url", "note"]

    def clean_confirmed_at(self):
        moment = self.cleaned_data["confirmed_at"]
        if moment > timezone.now() + datetime.timedelta(hours=1):
            raise forms.ValidationError(_("刊播时间不能晚于现在。"))
        return moment

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.evidence:
            raise forms.ValidationError(_("请上传至少一个证据文件，或填写网址。"))
        return cleaned

    def details(self) -> dict:
        """What the record keeps beside the evidence (shown as its receipt)."""
        data = {}
        if self.cleaned_data.get("issue_date"):
            data["issue_date"] = self.cleaned_data["issue_date"].isoformat()
        if self.cleaned_data.get("page_number"):
            data["page_number"] = self.cleaned_data["page_number"]
        return data


class CorrectionForm(EvidenceFields):
    """A correction of a delivery record: it did run (with better evidence), or it did not."""

    ran = forms.TypedChoiceField(
        label=_("更正为"),
        choices=[("yes", _("确已刊播（补充或替换证据）")), ("no", _("实际未刊播"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    field_order = ["ran", "note", "files", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = True
        self.fields["note"].label = _("更正原因")
