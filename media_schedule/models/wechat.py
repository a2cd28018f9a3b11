"""The WeChat access token each account shares across every process of the installation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WeChatAccessToken(models.Model):
    """The one access token of a WeChat account, read and refreshed by every worker.

    The platform hands out one token per account at a time, so the installation keeps one
    row per account (``base_url`` and AppID) in the database, which every worker process and
    thread shares whatever the cache is. ``refreshing_until`` is the lease of the one process
    fetching a new token; the others wait for the row to change.
    """

    account = models.CharField(_("账号标识"), max_length=64, unique=True)
    app_id = models.CharField(_("AppID"), max_length=64)
    access_token = models.CharField(_("access_token"), max_length=512, blank=True)
    # When to stop using the token: a few minutes before the platform says it expires.
    use_until = models.DateTimeField(_("使用期限"), null=True, blank=True)
    refreshing_until = models.DateTimeField(_("刷新租约到期"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("公众号接口凭据")
        verbose_name_plural = _("公众号接口凭据")

    def __str__(self) -> str:
        return self.app_id
