"""The bulletin board outlet's settings form; its cleaned data becomes ``Outlet.config``."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .board import (
    DEFAULT_HEIGHT_MM,
    DEFAULT_WIDTH_MM,
    LANDSCAPE,
    MAX_BOARD_COUNT,
    MAX_SIZE_MM,
    MIN_SIZE_MM,
    PORTRAIT,
    orientation_error,
    orientation_of,
    size_error,
)


def _size_field(label, initial, help_text) -> forms.IntegerField:
    # The range is checked in ``clean_<field>`` (one message naming both bounds, the same
    # one the adapter gives for a stored config); the widget still gets min and max.
    return forms.IntegerField(
        label=label,
        initial=initial,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": MIN_SIZE_MM, "max": MAX_SIZE_MM, "step": 1}),
        error_messages={"invalid": gettext_lazy("请填写整数毫米数")},
    )


class BulletinBoardConfigForm(forms.Form):
    """Size, orientation, location and number of panels of one bulletin board (宣传栏).

    The orientation may be left to the size; when chosen it must agree with it. The cleaned
    data always carries the orientation, so the stored config says which way the poster runs.
    """

    width_mm = _size_field(
        gettext_lazy("宽度（毫米）"),
        DEFAULT_WIDTH_MM,
        gettext_lazy("可张贴画面的实际宽度；常见市政宣传栏为 2250 × 1050 毫米。"),
    )
    height_mm = _size_field(
        gettext_lazy("高度（毫米）"), DEFAULT_HEIGHT_MM, gettext_lazy("可张贴画面的实际高度。")
    )
    orientation = forms.ChoiceField(
        label=gettext_lazy("版式"),
        choices=[
            ("", gettext_lazy("按尺寸自动判断")),
            (LANDSCAPE, gettext_lazy("横版")),
            (PORTRAIT, gettext_lazy("竖版")),
        ],
        required=False,
        help_text=gettext_lazy("留空则按宽高自动判断；所选版式须与尺寸一致。"),
    )
    location = forms.CharField(
        label=gettext_lazy("地点"),
        max_length=100,
        help_text=gettext_lazy("宣传栏所在位置，例如“县人民广场东侧”；存档张贴照片时据此核对。"),
        error_messages={"required": gettext_lazy("请填写宣传栏所在地点")},
    )
    board_count = forms.IntegerField(
        label=gettext_lazy("块数"),
        required=False,
        help_text=gettext_lazy("同一幅海报张贴的宣传栏块数，留空即 1 块。"),
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_BOARD_COUNT, "step": 1}),
        error_messages={"invalid": gettext_lazy("块数须为整数")},
    )

    def clean_width_mm(self) -> int:
        return self._size("width_mm", _("宽度"))

    def clean_height_mm(self) -> int:
        return self._size("height_mm", _("高度"))

    def clean_location(self) -> str:
        return self.cleaned_data["location"].strip()

    def clean_board_count(self) -> int | None:
        count = self.cleaned_data["board_count"]
        if count is not None and not 1 <= count <= MAX_BOARD_COUNT:
            raise forms.ValidationError(_("块数须在 1～%(max)d 之间") % {"max": MAX_BOARD_COUNT})
        return count

    def clean(self) -> dict:
        cleaned = super().clean()
        width, height = cleaned.get("width_mm"), cleaned.get("height_mm")
        if width is None or height is None:
            return cleaned
        chosen = cleaned.get("orientation") or ""
        if error := orientation_error(chosen, width, height):
            self.add_error("orientation", error)
        elif not chosen:
            cleaned["orientation"] = orientation_of(width, height)
        return cleaned

    def _size(self, name: str, label: str) -> int:
        value = self.cleaned_data[name]
        if error := size_error(label, value):
            raise forms.ValidationError(error)
        return value
