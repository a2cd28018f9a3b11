"""The newspaper outlet's settings (报纸名称、出版日、版面、字数上限), kept in ``Outlet.config``.

The form's cleaned data is the config itself, so it holds only JSON values (strings, lists of
ints and strings); :class:`PaperConfig` reads a stored config back, tolerating one saved by
hand or by an older form.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Numbered as Python's ``date.weekday()``, so the config compares with dates directly.
WEEKDAYS = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
    (5, _("周六")),
    (6, _("周日")),
]
SECTION_MAX_CHARS = 30
DEFAULT_BODY_WORD_LIMIT = 1200
DEFAULT_TITLE_WORD_LIMIT = 30


class NewspaperConfigForm(forms.Form):
    """Settings of one newspaper outlet; ``initial`` may be the outlet's stored config."""

    paper_name = forms.CharField(
        label=_("报纸名称"),
        max_length=60,
        help_text=_("印在稿件抬头，例如“示范县报”。"),
    )
    issue_days = forms.TypedMultipleChoiceField(
        label=_("出版日"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
        help_text=_("每周哪几天出报；日报请全选。"),
        error_messages={"required": _("请至少选择一个出版日。")},
    )
    sections = forms.CharField(
        label=_("版面/栏目"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个，例如“要闻版”“国防教育专版”；第一个为默认版面。"),
        error_messages={"required": _("请至少填写一个版面。")},
    )
    body_word_limit = forms.IntegerField(
        label=_("正文字数上限"),
        min_value=1,
        max_value=50_000,
        initial=DEFAULT_BODY_WORD_LIMIT,
        help_text=_("每个汉字、中文标点算 1 字，一串连续的英文字母或数字算 1 字。"),
    )
    title_word_limit = forms.IntegerField(
        label=_("标题字数上限"),
        min_value=1,
        max_value=200,
        initial=DEFAULT_TITLE_WORD_LIMIT,
        help_text=_("主标题的字数上限，计法同正文。"),
    )

    def __init__(self, *args, initial=None, **kwargs):
        initial = dict(initial or {})
        # The config keeps sections as a list; the text box shows one per line.
        if isinstance(initial.get("sections"), list | tuple):
            initial["sections"] = "\n".join(str(section) for section in initial["sections"])
        super().__init__(*args, initial=initial, **kwargs)

    def clean_issue_days(self) -> list[int]:
        return sorted(set(self.cleaned_data["issue_days"]))

    def clean_sections(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["sections"].splitlines())
        sections = list(dict.fromkeys(line for line in lines if line))
        if not sections:
            raise ValidationError(_("请至少填写一个版面。"))
        too_long = [section for section in sections if len(section) > SECTION_MAX_CHARS]
        if too_long:
            raise ValidationError(
                _("版面名称不能超过 %(limit)d 字：%(names)s")
                % {"limit": SECTION_MAX_CHARS, "names": "、".join(too_long)}
            )
        return sections


@dataclass(frozen=True)
class PaperConfig:
    """A newspaper outlet's settings as read from ``Outlet.config``; a missing or malformed
    value reads as unset (empty, or ``None`` for a limit) rather than failing."""

    paper_name: str = ""
    issue_days: tuple[int, ...] = ()
    sections: tuple[str, ...] = ()
    body_word_limit: int | None = None
    title_word_limit: int | None = None

    @classmethod
    def of(cls, outlet) -> "PaperConfig":
        """The settings of ``outlet``; all unset when there is no outlet."""
        return cls.from_config(outlet.config if outlet is not None else {})

    @classmethod
    def from_config(cls, config) -> "PaperConfig":
        config = config if isinstance(config, dict) else {}
        days = config.get("issue_days")
        sections = config.get("sections")
        return cls(
            paper_name=str(config.get("paper_name") or "").strip(),
            issue_days=tuple(
                sorted({day for day in days if isinstance(day, int) and 0 <= day <= 6})
            )
            if isinstance(days, list)
            else (),
            sections=tuple(str(section).strip() for section in sections if str(section).strip())
            if isinstance(sections, list)
            else (),
            body_word_limit=_positive(config.get("body_word_limit")),
            title_word_limit=_positive(config.get("title_word_limit")),
        )

    @property
    def default_section(self) -> str:
        """The section a version without one goes to: the first configured."""
        return self.sections[0] if self.sections else ""


def _positive(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
