"""The access token of a WeChat account, one for the whole installation.

Every worker process and thread reads the account's token from one database row
(:class:`~media_schedule.models.WeChatAccessToken`), whatever cache the process has. One
process at a time fetches a new token: it takes a short lease on the row with a
compare-and-set update, calls the platform outside any transaction and writes the token back;
the others wait for the row to change. A process told that its token is invalid replaces the
token only if the row still holds that very token: when another process has stored a newer
one meanwhile, that one is used and nothing is fetched, so the workers never take turns
displacing each other's tokens.
"""

import datetime
import hashlib
import time
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from media_schedule.models import WeChatAccessToken

from ..base import TransientDeliveryError

# A fetched token and its lifetime in seconds, as the platform answers them.
Fetch = Callable[[bool], tuple[str, int]]

# How long one process may hold the refresh lease: longer than its two token requests can take.
LEASE = datetime.timedelta(seconds=60)
# How often a waiting process looks at the row again.
WAIT_STEP = 0.05


def account_key(base_url: str, app_id: str) -> str:
    """The row key of an account: the API address and AppID, hashed to a fixed length."""
    return hashlib.sha256(f"{base_url}|{app_id}".encode()).hexdigest()


class SharedToken:
    """The token of one account as the whole installation sees it.

    ``fetch(force)`` asks the platform for a token (``force`` for a forced refresh) and
    returns it with its lifetime; ``wait`` bounds how long a caller waits for another
    process's refresh.
    """

    def __init__(self, *, base_url: str, app_id: str, fetch: Fetch, wait: float = 65.0):
        self.key = account_key(base_url, app_id)
        self.app_id = app_id
        self.fetch = fetch
        self.wait = wait

    def current(self) -> str:
        """A token to use now: the stored one while it is fresh, else a new one."""
        row = self._row()
        if self._usable(row):
            return row.access_token
        return self._refresh(stale=row.access_token)

    def replace(self, failed: str) -> str:
        """The token to use after the platform refused ``failed``.

        When the row already holds another usable token (another process refreshed), that
        one is returned and nothing is fetched; otherwise a new token is fetched once.
        """
        row = self._row()
        if row.access_token != failed and self._usable(row):
            return row.access_token
        return self._refresh(stale=row.access_token, refused=failed)

    # --- internals -----------------------------------------------------------------------

    def _row(self) -> WeChatAccessToken:
        row = WeChatAccessToken.objects.filter(account=self.key).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():
                return WeChatAccessToken.objects.create(
                    account=self.key, app_id=self.app_id, updated_at=timezone.now()
                )
        except IntegrityError:
            # Another process created it first.
            return WeChatAccessToken.objects.get(account=self.key)

    @staticmethod
    def _usable(row: WeChatAccessToken) -> bool:
        return bool(
            row.access_token and row.use_until is not None and row.use_until > timezone.now()
        )

    def _refresh(self, *, stale: str, refused: str = "") -> str:
        """Fetch a new token under the lease, or wait for the process that holds it."""
        deadline = time.monotonic() + self.wait
        while True:
            now = timezone.now()
            won = (
                WeChatAccessToken.objects.filter(account=self.key, access_token=stale)
                .filter(Q(refreshing_until__isnull=True) | Q(refreshing_until__lt=now))
                .update(refreshing_until=now + LEASE, updated_at=now)
            )
            if won:
                return self._fetch_and_store(refused=refused)
            row = self._row()
            if row.access_token != stale and self._usable(row):
                return row.access_token
            if time.monotonic() >= deadline:
                raise TransientDeliveryError(
                    _("另一个进程正在刷新公众号 access_token，未能及时完成，稍后重试")
                )
            time.sleep(WAIT_STEP)

    def _fetch_and_store(self, *, refused: str) -> str:
        try:
            token, expires_in = self.fetch(False)
            if refused and token == refused:
                # The platform calls the token it just refused its current one: only a
                # forced refresh replaces it (the platform allows a few a day).
                token, expires_in = self.fetch(True)
        except BaseException:
            WeChatAccessToken.objects.filter(account=self.key).update(refreshing_until=None)
            raise
        now = timezone.now()
        # Stop using a token a little before it expires, so that it never expires in the
        # middle of a delivery; the platform hands out the next one from five minutes before.
        margin = min(300, expires_in // 5)
        WeChatAccessToken.objects.filter(account=self.key).update(
            access_token=token,
            use_until=now + datetime.timedelta(seconds=expires_in - margin),
            refreshing_until=None,
            updated_at=now,
        )
        return token
