"""The WeChat Official Account adapter: token, cover, body images, draft, publish, status.

Speaks the shape of the Official Account API at ``outlet.config["base_url"]`` (default
``https://api.weixin.qq.com``): ``cgi-bin/stable_token`` for the account's access token (one
for the whole installation, see ``token``), ``material/add_material`` for the
permanent cover, ``media/uploadimg`` for body images,
``draft/add``, ``freepublish/submit`` and ``freepublish/get``; ``freepublish/batchget`` finds a
submission whose answer was lost.

Outlet config keys: ``base_url``, ``app_id`` (the AppSecret is the outlet's ``secret``),
``account_name`` (shown in previews), ``author`` (for articles whose page names none),
``timeout`` and ``connect_timeout`` (seconds), ``poll_attempts`` and ``poll_interval`` (how long
``deliver`` waits for ``freepublish/get`` to say published before handing over to ``confirm``),
``reconcile_pages`` (how many pages of 20 recent publications ``confirm`` searches),
``need_open_comment`` and ``only_fans_can_comment``.

Every request carries the placement's idempotency key in ``X-Idempotency-Key``, and the key is
also written into the article's source URL (``?ref=<key>``), the one field that comes back in
the list of publications; that is how ``confirm`` recognises a submission without a publish id.
Nothing here ever submits a draft a second time once a submit may have reached the platform,
and once a submit was accepted (or its answer lost) no error ends in a failure: the delivery is
unconfirmed, and the dispatcher reconciles it with ``confirm``. The publish id is handed to the
dispatcher (``DeliveryRequest.on_external_id``) as soon as the submit answers.

The access token is the stable token, shared by every worker process through the database and
refreshed by one process at a time; a call refused for its token is retried once with the
token that replaced it (see ``api`` and ``token``).
"""

import html
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.files.storage import default_storage
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..base import (
    Channel,
    DeliveryError,
    DeliveryRequest,
    NotReceivedError,
    PermanentDeliveryError,
    Receipt,
    ReceiptLine,
    TransientDeliveryError,
    UnconfirmedDeliveryError,
    VersionProblem,
)
from . import version as versions
from .api import (
    PUBLISH_FAILURES,
    PUBLISHED,
    PUBLISHING,
    MaybeSent,
    NotSent,
    Session,
)
from .forms import WeChatConfigForm
from .preview import render_preview

MARKER_PARAM = "ref"


class _PublicationFailed(PermanentDeliveryError):
    """``freepublish/get`` says the publication did not go out (publish_status 2-6)."""


def with_marker(url: str, key: str) -> str:
    """``url`` with the idempotency key as its ``ref`` query parameter."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != MARKER_PARAM]
    query.append((MARKER_PARAM, key))
    return urlunsplit(parts._replace(query=urlencode(query)))


def marker_of(url: str) -> str:
    """The idempotency key written into a source URL by :func:`with_marker`, or ``""``."""
    return dict(parse_qsl(urlsplit(url or "").query)).get(MARKER_PARAM, "")


class WeChatChannel(Channel):
    """Publishes an article to a WeChat Official Account through draft/add and freepublish."""

    kind = "wechat"
    config_form_class = WeChatConfigForm

    def build_version(self, page) -> dict[str, Any]:
        """The article version of ``page``: text fields, sanitised HTML, cover crops, images."""
        return versions.build(page)

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """A stopped account, or one without its AppID and AppSecret, cannot publish."""
        problems = super().outlet_problems(outlet)
        if not outlet.config.get("app_id") or not outlet.secret:
            problems.append(
                VersionProblem(
                    "outlet", _("公众号渠道未配置 AppID 或 AppSecret，请在“发布渠道”中填写。")
                )
            )
        return problems

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        """Every violation of the ``draft/add`` limits, in Chinese with the count."""
        return versions.validate(version)

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """The message card, the card of a forwarded article and the phone-width article."""
        return render_preview(version, outlet=outlet)

    def receipt_lines(self, record) -> list[ReceiptLine]:
        """When the article went out, its link, and the platform's publish and article ids;
        for a failed attempt, the platform's publish status in words."""
        receipt = record.receipt or {}
        lines = []
        if record.outcome == record.Outcome.DELIVERED:
            published = formats.date_format(
                timezone.localtime(record.finished_at), _("Y年n月j日 H:i")
            )
            lines.append(ReceiptLine(_("发布时间"), published))
        if record.url:
            lines.append(ReceiptLine(_("文章链接"), record.url, url=record.url))
        publish_id = receipt.get("publish_id") or ""
        # A publication found by its marker carries the article id as its reference.
        if not publish_id and receipt.get("external_id") != receipt.get("article_id"):
            publish_id = receipt.get("external_id") or ""
        if publish_id:
            lines.append(ReceiptLine(_("发表编号（publish_id）"), str(publish_id)))
        if receipt.get("article_id"):
            lines.append(ReceiptLine(_("文章编号（article_id）"), str(receipt["article_id"])))
        if receipt.get("found_by") == "ref":
            lines.append(ReceiptLine(_("核实方式"), _("在公众号最近发表的文章中找到本次发表")))
        status = receipt.get("publish_status")
        if status in PUBLISH_FAILURES:
            lines.append(
                ReceiptLine(
                    _("发表状态"),
                    _("%(status)d：%(reason)s")
                    % {"status": status, "reason": PUBLISH_FAILURES[status]},
                )
            )
        if receipt.get("http_status"):
            lines.append(ReceiptLine(_("接口应答"), f"HTTP {receipt['http_status']}"))
        return lines

    def deliver(self, request: DeliveryRequest) -> Receipt:
        """Upload the cover and body images, add the draft, submit it and wait briefly for it
        to be published.

        With an ``external_id`` from an earlier unconfirmed attempt it only reconciles: a draft
        is never submitted twice.
        """
        if request.external_id:
            try:
                receipt = self.confirm(request)
            except TransientDeliveryError as error:
                raise UnconfirmedDeliveryError(
                    str(error), external_id=request.external_id, details=error.details
                ) from error
            if receipt is None:
                raise UnconfirmedDeliveryError(
                    _("已提交发表，平台仍在处理中"), external_id=request.external_id
                )
            return receipt
        problems = self.validate(request.version)
        if problems:
            raise PermanentDeliveryError(
                _("公众号版本不符合要求：%s") % "；".join(p.message for p in problems),
                details={"problems": [p.message for p in problems]},
            )
        session = Session(request)
        version = request.version
        try:
            if request.attempt > 1:
                # Belt and braces: a retry must not publish what an earlier attempt already
                # published, whatever the caller believed about that attempt.
                receipt = self._find_by_marker(session, request)
                if receipt is not None:
                    return receipt
            thumb_media_id = self._upload_cover(session, version["cover"])
            content = self._upload_body_images(session, version)
            article = {
                "title": version["title"],
                "author": version.get("author") or request.outlet_config.get("author", ""),
                "digest": version.get("digest", ""),
                "content": content,
                "content_source_url": with_marker(version["content_source_url"], session.key),
                "thumb_media_id": thumb_media_id,
                "need_open_comment": int(
                    request.outlet_config.get(
                        "need_open_comment", version.get("need_open_comment", 0)
                    )
                ),
                "only_fans_can_comment": int(
                    request.outlet_config.get(
                        "only_fans_can_comment", version.get("only_fans_can_comment", 0)
                    )
                ),
                "pic_crop_235_1": version["cover"]["crops"]["2.35_1"]["fractions"],
                "pic_crop_1_1": version["cover"]["crops"]["1_1"]["fractions"],
            }
            draft = session.call("/cgi-bin/draft/add", json_body={"articles": [article]})
        except (NotSent, MaybeSent) as error:
            # Nothing is published before submit: uploading again is harmless.
            raise TransientDeliveryError(_("微信接口连接失败：%s") % error) from error
        draft_media_id = draft.get("media_id", "")
        details = {"draft_media_id": draft_media_id, "thumb_media_id": thumb_media_id}
        publish_id = self._submit(session, draft_media_id, details)
        if request.on_external_id is not None:
            request.on_external_id(publish_id)
        return self._await_published(session, request, publish_id, details)

    def confirm(self, request: DeliveryRequest) -> Receipt | None:
        """Reconcile an unconfirmed delivery: by publish id through ``freepublish/get``, or,
        when the submit's answer was lost, by finding the idempotency key among recent
        publications (``freepublish/batchget``). Never submits.

        Only the platform saying that the publication failed is permanent; any error while
        asking (a refused token included) means "cannot tell yet".
        """
        try:
            session = Session(request)
            if request.external_id:
                return self._status(session, request.external_id, {})
            receipt = self._find_by_marker(session, request)
        except _PublicationFailed:
            raise
        except (NotSent, MaybeSent, DeliveryError) as error:
            raise TransientDeliveryError(
                _("核实发表结果时出错，稍后再核实：%s") % error,
                details=getattr(error, "details", {}),
            ) from error
        if receipt is None:
            if request.before_resend:
                # Asked before sending again after earlier attempts that the platform
                # refused: nothing of this key is public, so sending is safe.
                raise NotReceivedError(_("最近发表的文章中没有本次发表"))
            # Still publishing, or the submit never arrived: the two look alike here, so
            # never resubmit on this answer.
            raise TransientDeliveryError(
                _("最近发表的文章中尚未找到本次发表（可能仍在处理中），稍后再核实")
            )
        return receipt

    # --- steps ---------------------------------------------------------------------------

    def _read(self, entry: dict, max_bytes: int, label: str) -> bytes:
        try:
            with default_storage.open(entry["file"], "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as error:
            raise PermanentDeliveryError(
                _("%(label)s %(name)s 无法读取：%(error)s")
                % {"label": label, "name": entry["name"], "error": error}
            ) from error
        if len(data) > max_bytes:
            # The file changed after the version was checked.
            raise PermanentDeliveryError(
                _("%(label)s %(name)s 超过 %(limit)s，无法上传")
                % {"label": label, "name": entry["name"], "limit": _size_limit(max_bytes)}
            )
        return data

    def _upload_cover(self, session: Session, cover: dict) -> str:
        data = self._read(cover, versions.COVER_LIMIT, _("封面图片"))
        payload = session.call(
            "/cgi-bin/material/add_material",
            params={"type": "image"},
            files={"media": (cover["name"], data, _content_type(cover["format"]))},
        )
        return payload.get("media_id", "")

    def _upload_body_images(self, session: Session, version: dict) -> str:
        content = version["content"]
        for image in version.get("images") or []:
            # The limit is "under 1 MB": one byte less than a megabyte is the most allowed.
            data = self._read(image, versions.BODY_IMAGE_LIMIT - 1, _("正文图片"))
            payload = session.call(
                "/cgi-bin/media/uploadimg",
                files={"media": (image["name"], data, _content_type(image["format"]))},
            )
            content = content.replace(
                f'src="{html.escape(image["src"])}"', f'src="{html.escape(payload["url"])}"'
            )
        return content

    def _submit(self, session: Session, draft_media_id: str, details: dict) -> str:
        try:
            payload = session.call(
                "/cgi-bin/freepublish/submit", json_body={"media_id": draft_media_id}, submit=True
            )
        except NotSent as error:
            raise TransientDeliveryError(_("微信接口连接失败：%s") % error) from error
        except MaybeSent as error:
            raise UnconfirmedDeliveryError(
                _("已发出发表请求，但未收到应答；将通过发表记录核实，不会重复提交（%s）") % error,
                details=details,
            ) from error
        publish_id = str(payload.get("publish_id") or "")
        if not publish_id:
            raise UnconfirmedDeliveryError(
                _("发表请求的应答缺少 publish_id；将通过发表记录核实"), details=details
            )
        return publish_id

    def _await_published(
        self, session: Session, request: DeliveryRequest, publish_id: str, details: dict
    ) -> Receipt:
        config = request.outlet_config
        attempts = max(1, int(config.get("poll_attempts", 3)))
        interval = float(config.get("poll_interval", 1.0))
        for attempt in range(attempts):
            if attempt:
                time.sleep(interval)
            try:
                receipt = self._status(session, publish_id, details)
            except _PublicationFailed:
                raise
            except (NotSent, MaybeSent, DeliveryError) as error:
                # The submit was accepted: from here on no error means failure, and only
                # reconciliation is safe.
                raise UnconfirmedDeliveryError(
                    _("已提交发表，查询发表状态失败：%s") % error,
                    external_id=publish_id,
                    details=details,
                ) from error
            if receipt is not None:
                return receipt
        raise UnconfirmedDeliveryError(
            _("已提交发表，平台仍在处理中"), external_id=publish_id, details=details
        )

    def _status(self, session: Session, publish_id: str, details: dict) -> Receipt | None:
        payload = session.call("/cgi-bin/freepublish/get", json_body={"publish_id": publish_id})
        try:
            status = int(payload.get("publish_status"))
        except (TypeError, ValueError):
            status = None
        if status == PUBLISHING:
            return None
        if status == PUBLISHED:
            items = (payload.get("article_detail") or {}).get("item") or []
            return Receipt(
                external_id=publish_id,
                url=items[0].get("article_url", "") if items else "",
                details={
                    **details,
                    "publish_id": publish_id,
                    "article_id": payload.get("article_id", ""),
                },
            )
        if status not in PUBLISH_FAILURES:
            # Not a status that says the article is not out: cannot tell.
            raise TransientDeliveryError(
                _("发表状态查询的应答无法识别：%s") % str(payload.get("publish_status"))[:50],
                details={**details, "publish_id": publish_id},
            )
        raise _PublicationFailed(
            _("发表失败（状态 %(status)d）：%(reason)s")
            % {"status": status, "reason": PUBLISH_FAILURES[status]},
            details={**details, "publish_id": publish_id, "publish_status": status,
                     "fail_idx": payload.get("fail_idx", [])},
        )  # fmt: skip

    def _find_by_marker(self, session: Session, request: DeliveryRequest) -> Receipt | None:
        pages = max(1, int(request.outlet_config.get("reconcile_pages", 5)))
        for page in range(pages):
            payload = session.call(
                "/cgi-bin/freepublish/batchget",
                json_body={"offset": page * 20, "count": 20, "no_content": 1},
            )
            items = payload.get("item") or []
            for item in items:
                for news in (item.get("content") or {}).get("news_item") or []:
                    if marker_of(news.get("content_source_url", "")) == request.idempotency_key:
                        return Receipt(
                            external_id=str(item.get("article_id", "")),
                            url=news.get("url", ""),
                            details={"article_id": item.get("article_id", ""), "found_by": "ref"},
                        )
            if len(items) < 20:
                break
        return None


def _size_limit(max_bytes: int) -> str:
    return f"{round(max_bytes / versions.MB)} MB"


def _content_type(fmt: str) -> str:
    return {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp"}.get(
        fmt, "application/octet-stream"
    )
