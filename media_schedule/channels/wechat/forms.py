"""The settings of a WeChat Official Account outlet, as the outlet form asks for them.

The cleaned data becomes ``Outlet.config`` (the keys the adapter reads); the AppSecret is
not here but in the outlet's write-only secret. Technical keys (timeouts, polling) are left
to their defaults and kept as they are when the form is saved.
"""

import re

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .version import AUTHOR_LIMIT

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
# The platform's AppIDs: "wx" and 16 hexadecimal digits (公众平台 › 设置与开发 › 基本配置).
APP_ID = re.compile(r"wx[0-9a-f]{16}")


class WeChatConfigForm(forms.Form):
    """API address, AppID, the name readers see, the default author and the comment switches."""

    secret_label = _("AppSecret（开发者密码）")
    secret_help = _("在公众平台“设置与开发 › 基本配置”中获取。")

    app_id = forms.CharField(
        label=_("AppID（开发者 ID）"),
        max_length=18,
        help_text=_("在公众平台“设置与开发 › 基本配置”中查看，形如 wx 加 16 位数字或字母 a–f。"),
        error_messages={"required": _("请填写公众号的 AppID。")},
    )
    account_name = forms.CharField(
        label=_("公众号名称"),
        max_length=30,
        required=False,
        help_text=_("读者看到的名称，用于预览；留空则用渠道名称。"),
    )
    author = forms.CharField(
        label=_("默认作者"),
        max_length=AUTHOR_LIMIT,
        required=False,
        help_text=_("稿件未署名时使用，最多 16 字。"),
        error_messages={
            "max_length": _("默认作者最多 %(limit_value)d 字（现有 %(show_value)d 字）。")
        },
    )
    need_open_comment = forms.BooleanField(label=_("开启留言"), required=False)
    only_fans_can_comment = forms.BooleanField(label=_("仅关注者可留言"), required=False)
    base_url = forms.CharField(
        label=_("接口地址"),
        initial=DEFAULT_BASE_URL,
        max_length=200,
        help_text=_("一般不用修改；联调时可改为测试接口的地址。"),
        validators=[
            URLValidator(
                schemes=["http", "https"],
                message=_(
                    "接口地址须是以 http:// 或 https:// 开头的网址，例如 https://api.weixin.qq.com。"
                ),
            )
        ],
        error_messages={"required": _("请填写接口地址，一般为 https://api.weixin.qq.com。")},
    )

    def clean_app_id(self) -> str:
        app_id = self.cleaned_data["app_id"].strip().lower()
        if not APP_ID.fullmatch(app_id):
            raise forms.ValidationError(
                _("AppID 格式不对：应为 wx 开头、后接 16 位数字或字母 a–f，共 18 位。"),
                code="invalid",
            )
        return app_id

    def clean_base_url(self) -> str:
        # The adapter appends paths such as "/cgi-bin/draft/add".
        return self.cleaned_data["base_url"].rstrip("/")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("only_fans_can_comment") and not cleaned.get("need_open_comment"):
            self.add_error("only_fans_can_comment", _("请先开启留言，才能限定仅关注者留言。"))
        return cleaned
