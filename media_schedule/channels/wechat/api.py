"""The WeChat Official Account API as this outlet speaks it: one shared HTTP client per
process, a :class:`Session` per delivery (the account's shared token, retried once when the
platform refuses it), and the platform's error codes mapped to transient and permanent
delivery errors. The adapter (``adapter``) decides what to call and what an outcome means.
"""

import json
import os
import threading
from typing import Any

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import DeliveryRequest, PermanentDeliveryError, TransientDeliveryError
from .forms import DEFAULT_BASE_URL
from .token import SharedToken

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


def shared_client(timeout: httpx.Timeout, *, keep_alive: bool = True) -> httpx.Client:
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


class NotSent(Exception):
    """The request never reached the outlet (no connection)."""


class MaybeSent(Exception):
    """The request may have reached the outlet, but no answer came back."""


class Session:
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
        self.client = shared_client(self.timeout)
        self.submit_client = shared_client(self.timeout, keep_alive=False)
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
            raise NotSent(f"{path}: {type(error).__name__}: {error}") from error
        except httpx.TransportError as error:
            raise MaybeSent(f"{path}: {type(error).__name__}: {error}") from error
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
        except (NotSent, MaybeSent) as error:
            raise TransientDeliveryError(_("无法连接微信接口：%s") % error) from error
        payload = self._payload(response, "/cgi-bin/stable_token")
        if payload.get("errcode"):
            raise errcode_error(payload)
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

        Transport failures come back as ``NotSent`` or ``MaybeSent`` for the caller to map:
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
                raise MaybeSent(f"{path}: HTTP {response.status_code}")
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
                raise errcode_error(payload)
            return payload
        raise AssertionError("unreachable")


def errcode_error(payload: dict) -> TransientDeliveryError | PermanentDeliveryError:
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
