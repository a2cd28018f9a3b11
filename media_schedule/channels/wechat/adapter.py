"""The WeChat Official Account adapter: token, cover, body images, draft, publish, status.

Speaks the shape of the Official Account API at ``outlet.config["base_url"]`` (default
``https://api.weixin.qq.com``): ``cgi-bin/stable_token`` for the account's access token (one
for the whole installation, see ``wechat_token``), ``material/add_material`` for the
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
token that replaced it (see ``wechat_token``).
"""

import html
import json
import os
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.core.files.storage import default_storage
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from .forms import DEFAULT_BASE_URL, WeChatConfigForm
from .preview import render_preview
from .token import SharedToken

MARKER_PARAM = "ref"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"

# The platform calls a token invalid or expired with these: replace it and retry once; a
# second refusal is retried later by the dispatcher.
TOKEN_ERRCODES = {40001, 40014, 42001}

# Error codes that mean "not now": the request was refused before anything was created.
RETRYABLE_ERRCODES = {
    -1: gettext_lazy("微信系统繁忙，稍后重试"),
    45009: gettext_lazy("接口调用已达今日上限，稍后重试"),
    45011: gettext_lazy("接口调用过于频繁（频率限制），稍后重试"),
}

# Error codes that no retry can cure; the reason is shown to the editor.
PERMANENT_ERRCODES = {
    40002: gettext_lazy("grant_type 不合法"),
    40004: gettext_lazy("媒体文件类型不合法"),
    40005: gettext_lazy("文件类型不合法（仅支持 JPG/PNG）"),
    40007: gettext_lazy("media_id 不合法（素材或草稿不存在）"),
    40009: gettext_lazy("图片大小超出限制"),
    40013: gettext_lazy("AppID 不合法"),
    40125: gettext_lazy("AppSecret 不正确"),
    40164: gettext_lazy("调用接口的服务器 IP 不在公众号的 IP 白名单中"),
    40243: gettext_lazy("AppSecret 已被冻结，请在公众平台解冻"),
    41001: gettext_lazy("缺少 access_token 参数"),
    44002: gettext_lazy("请求内容为空"),
    44003: gettext_lazy("图文内容为空"),
    45001: gettext_lazy("素材大小超出限制"),
    45002: gettext_lazy("正文超出长度限制"),
    45003: gettext_lazy("标题超出长度限制"),
    45004: gettext_lazy("摘要超出长度限制"),
    45110: gettext_lazy("作者超出长度限制"),
    45166: gettext_lazy("正文内容不合法"),
    47001: gettext_lazy("请求数据格式错误"),
    48001: gettext_lazy("公众号未获得该接口的权限"),
    50001: gettext_lazy("用户未授权该接口"),
    50002: gettext_lazy("公众号已被限制使用该接口"),
    53404: gettext_lazy("账号已被限制带货能力，请删除文章中的商品后重新发表"),
    53405: gettext_lazy("文章中插入的商品信息不合法"),
    53503: gettext_lazy("该草稿未通过发布检查"),
    53504: gettext_lazy("需前往公众平台官网使用该草稿"),
    53505: gettext_lazy("请在公众平台手动保存该草稿后再发表"),
    89503: gettext_lazy("调用接口的 IP 需公众号管理员确认"),
}

# freepublish/get publish_status: 0 published, 1 publishing, 2-6 failed.
PUBLISHED, PUBLISHING = 0, 1
PUBLISH_FAILURES = {
    2: gettext_lazy("原创声明校验未通过，文章未发表"),
    3: gettext_lazy("平台常规校验未通过，文章未发表"),
    4: gettext_lazy("平台审核不通过，文章未发表"),
    5: gettext_lazy("文章发表成功后已被全部删除"),
    6: gettext_lazy("文章发表成功后已被平台封禁"),
}

_clients: dict[tuple, httpx.Client] = {}
_clients_lock = threading.Lock()


def _shared_client(timeout: httpx.Timeout, *, keep_alive: bool = True) -> httpx.Client:
    """One client per process, timeout and connection policy, so TLS set-up is paid once: a
    forked worker must not share the parent's sockets, hence the process id in the key.
    Without ``keep_alive`` every request gets a connection of its own."""
    key = (os.getpid(), timeout.connect, timeout.read, keep_alive)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            limits = httpx.Limits() if keep_alive else httpx.Limits(max_keepalive_connections=0)
            client = _clients[key] = httpx.Client(timeout=timeout, limits=limits)
        return client


class _NotSent(Exception):
    """The request never reached the outlet (no connection)."""


class _MaybeSent(Exception):
    """The request may have reached the outlet, but no answer came back."""


class _PublicationFailed(PermanentDeliveryError):
    """``freepublish/get`` says the publication did not go out (publish_status 2-6)."""


class _Session:
    """One delivery's conversation with an account: token handling and error mapping."""

    def __init__(self, request: DeliveryRequest):
        config = request.outlet_config or {}
        self.base_url = (config.get("base_url") or DEFAULT_BASE_URL).rstrip("/")
        self.app_id = config.get("app_id", "")
        self.secret = request.outlet_secret
        self.key = request.idempotency_key
        self.timeout = httpx.Timeout(
            float(config.get("timeout", 15.0)), connect=float(config.get("connect_timeout", 5.0))
        )
        self.client = _shared_client(self.timeout)
        self.submit_client = _shared_client(self.timeout, keep_alive=False)
        if not self.app_id or not self.secret:
            raise PermanentDeliveryError(_("公众号渠道未配置 AppID 或 AppSecret"))
        self.tokens = SharedToken(base_url=self.base_url, app_id=self.app_id, fetch=self._fetch)
        self._token = ""

    # --- transport -----------------------------------------------------------------------

    def _send(self, method: str, path: str, *, fresh_connection=False, headers=None, **kwargs):
        headers = {IDEMPOTENCY_HEADER: self.key, **(headers or {})}
        url = self.base_url + path
        # A reused keep-alive socket the server has just closed would look exactly like
        # "sent, answer lost"; a connection of its own keeps that outcome meaningful.
        client = self.submit_client if fresh_connection else self.client
        try:
            response = client.request(method, url, headers=headers, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise _NotSent(f"{path}: {type(error).__name__}: {error}") from error
        except httpx.TransportError as error:
            raise _MaybeSent(f"{path}: {type(error).__name__}: {error}") from error
        return response

    def token(self) -> str:
        """The account's access token, read once per delivery from the shared store."""
        if not self._token:
            self._token = self.tokens.current()
        return self._token

    def _fetch(self, force: bool) -> tuple[str, int]:
        """Ask ``stable_token`` for the account's token (``force``: a forced refresh)."""
        body = {
            "grant_type": "client_credential",
            "appid": self.app_id,
            "secret": self.secret,
            "force_refresh": force,
        }
        try:
            response = self._send(
                "POST",
                "/cgi-bin/stable_token",
                content=json.dumps(body).encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except (_NotSent, _MaybeSent) as error:
            raise TransientDeliveryError(_("无法连接微信接口：%s") % error) from error
        payload = self._payload(response, "/cgi-bin/stable_token")
        if payload.get("errcode"):
            raise _errcode_error(payload)
        token, expires_in = payload.get("access_token"), int(payload.get("expires_in") or 0)
        if not token or expires_in <= 0:
            # The payload is not quoted: it may hold a token.
            raise TransientDeliveryError(_("微信接口未返回有效的 access_token"))
        return token, expires_in

    def _payload(self, response: httpx.Response, path: str) -> dict:
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientDeliveryError(
                _("微信接口 %(path)s 暂时不可用（HTTP %(status)d）")
                % {"path": path, "status": response.status_code},
                details={"http_status": response.status_code},
            )
        if response.status_code >= 400:
            raise PermanentDeliveryError(
                _("微信接口 %(path)s 拒绝请求（HTTP %(status)d）：%(body)s")
                % {"path": path, "status": response.status_code, "body": response.text[:200]},
                details={"http_status": response.status_code},
            )
        try:
            payload = response.json()
        except ValueError:
            raise TransientDeliveryError(
                _("微信接口 %(path)s 的应答不是 JSON：%(body)s")
                % {"path": path, "body": response.text[:200]}
            ) from None
        if not isinstance(payload, dict):
            raise TransientDeliveryError(_("微信接口 %s 的应答格式不对") % path)
        return payload

    def call(self, path: str, *, params=None, json_body=None, files=None, submit=False) -> dict:
        """POST to ``path`` with the token; refresh the token once if the platform rejects it.

        Transport failures come back as ``_NotSent`` or ``_MaybeSent`` for the caller to map:
        what they mean depends on whether a submit may have gone through.
        """
        for attempt in (1, 2):
            token = self.token()
            query = {"access_token": token, **(params or {})}
            kwargs: dict[str, Any] = {"params": query}
            if json_body is not None:
                # ensure_ascii=False: the platform stores \uXXXX escapes literally.
                kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
                kwargs["headers"] = {"Content-Type": "application/json; charset=utf-8"}
            if files is not None:
                kwargs["files"] = files
            response = self._send("POST", path, fresh_connection=submit, **kwargs)
            if submit and response.status_code >= 500 and response.status_code != 503:
                # A gateway error may hide a submit the platform did process.
                raise _MaybeSent(f"{path}: HTTP {response.status_code}")
            payload = self._payload(response, path)
            code = payload.get("errcode") or 0
            if code in TOKEN_ERRCODES:
                if attempt == 1:
                    # Another worker may have replaced the token already: then that one is
                    # used, and the platform is not asked again.
                    self._token = self.tokens.replace(token)
                    continue
                raise TransientDeliveryError(
                    _("access_token 更换后仍被拒绝（%(code)d %(errmsg)s），稍后重试")
                    % {"code": code, "errmsg": payload.get("errmsg", "")},
                    details={"errcode": code, "errmsg": str(payload.get("errmsg") or "")},
                )
            if code:
                raise _errcode_error(payload)
            return payload
        raise AssertionError("unreachable")


def _errcode_error(payload: dict) -> TransientDeliveryError | PermanentDeliveryError:
    code = int(payload.get("errcode") or 0)
    errmsg = str(payload.get("errmsg") or "")
    details = {"errcode": code, "errmsg": errmsg}
    if code in TOKEN_ERRCODES:
        # Only the token endpoints get here (other calls replace the token first): a token
        # error from them says nothing about the credentials, so it is worth another try.
        return TransientDeliveryError(
            _("微信接口拒绝 access_token（%(code)d %(errmsg)s），稍后重试")
            % {"code": code, "errmsg": errmsg},
            details={**details, "retry_after": 1},
        )
    if code in RETRYABLE_ERRCODES:
        return TransientDeliveryError(
            _("微信接口暂时拒绝（%(code)d %(errmsg)s）：%(reason)s")
            % {"code": code, "errmsg": errmsg, "reason": RETRYABLE_ERRCODES[code]},
            details={**details, "retry_after": 60 if code == 45009 else 1},
        )
    reason = PERMANENT_ERRCODES.get(code, _("未列入处理表的错误码，请查阅微信全局返回码说明"))
    return PermanentDeliveryError(
        _("微信接口拒绝（%(code)d %(errmsg)s）：%(reason)s")
        % {"code": code, "errmsg": errmsg, "reason": reason},
        details=details,
    )


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
        session = _Session(request)
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
        except (_NotSent, _MaybeSent) as error:
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
            session = _Session(request)
            if request.external_id:
                return self._status(session, request.external_id, {})
            receipt = self._find_by_marker(session, request)
        except _PublicationFailed:
            raise
        except (_NotSent, _MaybeSent, DeliveryError) as error:
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

    def _upload_cover(self, session: _Session, cover: dict) -> str:
        data = self._read(cover, versions.COVER_LIMIT, _("封面图片"))
        payload = session.call(
            "/cgi-bin/material/add_material",
            params={"type": "image"},
            files={"media": (cover["name"], data, _content_type(cover["format"]))},
        )
        return payload.get("media_id", "")

    def _upload_body_images(self, session: _Session, version: dict) -> str:
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

    def _submit(self, session: _Session, draft_media_id: str, details: dict) -> str:
        try:
            payload = session.call(
                "/cgi-bin/freepublish/submit", json_body={"media_id": draft_media_id}, submit=True
            )
        except _NotSent as error:
            raise TransientDeliveryError(_("微信接口连接失败：%s") % error) from error
        except _MaybeSent as error:
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
        self, session: _Session, request: DeliveryRequest, publish_id: str, details: dict
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
            except (_NotSent, _MaybeSent, DeliveryError) as error:
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

    def _status(self, session: _Session, publish_id: str, details: dict) -> Receipt | None:
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

    def _find_by_marker(self, session: _Session, request: DeliveryRequest) -> Receipt | None:
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
