"""The pull endpoint: a screen's controller fetches its manifest and files with its token.

Without a valid token every answer is the same bare 404, so nothing tells an outsider
whether a screen exists.
"""

import hashlib
import hmac
import json
import mimetypes
import zipfile

from django.http import HttpResponse, HttpResponseNotFound, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import proof, services
from .models import Package, PlayRecord, Screen
from .playlist import current_loop

CHUNK = 64 * 1024
MAX_PLAY_BODY = 1024 * 1024


def _not_found() -> HttpResponse:
    return HttpResponseNotFound(b"Not Found", content_type="text/plain")


def _token(request) -> str:
    """The token from ``Authorization: Bearer``, ``X-Screen-Token`` or, for controllers that
    cannot set headers, ``?token=`` (which the access log masks)."""
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("X-Screen-Token", "").strip() or request.GET.get("token", "")


def _authorised_screen(request, screen_id: int) -> Screen | None:
    token = _token(request)
    screen = Screen.objects.select_related("outlet").filter(pk=screen_id).first()
    if screen is None or not token or not screen.outlet.is_active:
        return None
    if not hmac.compare_digest(screen.token.encode(), token.encode()):
        return None
    return screen


def _etag_matches(request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    return etag in candidates or "*" in candidates


def _log(request, screen, resource, status, etag="", package=None) -> None:
    services.pull_record(
        screen=screen,
        resource=resource,
        status_code=status,
        etag=etag,
        package=package,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.headers.get("User-Agent", ""),
    )


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def pull_manifest(request, screen_id: int):
    """The current manifest (loop plus active insertions), with an ETag; 304 when unchanged."""
    screen = _authorised_screen(request, screen_id)
    if screen is None:
        return _not_found()
    body = services.pull_document(screen=screen)
    package = current_loop(screen)
    if body is None:
        _log(request, screen, "manifest.json", 204)
        return HttpResponse(status=204)
    etag = f'"{hashlib.sha256(body).hexdigest()[:40]}"'
    if _etag_matches(request, etag):
        _log(request, screen, "manifest.json", 304, etag, package)
        return _not_modified(etag)
    _log(request, screen, "manifest.json", 200, etag, package)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


def _resolve(screen: Screen, name: str) -> tuple[Package | None, str]:
    if name.startswith("insertions/"):
        parts = name.split("/", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None, ""
        # A withdrawn insertion is off the screen: its files are gone for the controller too.
        package = screen.packages.filter(
            kind=Package.Kind.INSERTION, version=int(parts[1]), withdrawn_at__isnull=True
        ).first()
        return package, parts[2]
    return current_loop(screen), name


@require_safe
def pull_file(request, screen_id: int, name: str):
    """One file of the current package (or ``package.zip`` itself), checked by its SHA-256."""
    screen = _authorised_screen(request, screen_id)
    if screen is None:
        return _not_found()
    package, member = _resolve(screen, name)
    if package is None:
        return _not_found()
    if member == "package.zip":
        digest, size = package.checksum, package.size
    else:
        listed = {entry["path"]: entry for entry in package.manifest.get("files", [])}
        if member not in listed and member != "manifest.json":
            return _not_found()
        digest = listed[member]["sha256"] if member in listed else ""
        size = None
    etag = f'"{digest[:40]}"' if digest else ""
    if etag and _etag_matches(request, etag):
        _log(request, screen, name, 304, etag, package)
        return _not_modified(etag)
    handle = package.archive.open("rb")
    if member == "package.zip":
        stream, content_type = handle, "application/zip"
    else:
        archive = zipfile.ZipFile(handle)
        info = archive.getinfo(member)
        size = info.file_size
        stream = archive.open(info)
        content_type = mimetypes.guess_type(member)[0] or "application/octet-stream"
        if member.endswith((".txt", ".json", ".m3u", ".xspf")):
            content_type += "; charset=utf-8"

    def chunks():
        try:
            while block := stream.read(CHUNK):
                yield block
        finally:
            stream.close()
            handle.close()

    _log(request, screen, name, 200, etag, package)
    response = StreamingHttpResponse(chunks(), content_type=content_type)
    response["Content-Length"] = str(size)
    response["Cache-Control"] = "private, no-cache"
    if etag:
        response["ETag"] = etag
    return response


@csrf_exempt
@require_POST
def report_plays(request, screen_id: int):
    """Proof of play: the screen's player (or a relay) reports a batch of plays as JSON
    ``{"plays": [{"item", "start", "end", "count"}, …]}`` with the screen's pull token.

    Answers with what became of the batch: ``accepted``, ``duplicates`` (already stored),
    ``not_in_package`` (stored, flagged) and ``rejected`` rows with their reason."""
    screen = _authorised_screen(request, screen_id)
    if screen is None:
        return _not_found()
    if len(request.body) > MAX_PLAY_BODY:
        return JsonResponse({"error": "body larger than 1 MB"}, status=413)
    try:
        document = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    plays = document.get("plays") if isinstance(document, dict) else None
    if not isinstance(plays, list):
        return JsonResponse({"error": 'expected {"plays": [...]}'}, status=400)
    if len(plays) > proof.MAX_BATCH:
        return JsonResponse({"error": f"at most {proof.MAX_BATCH} plays a batch"}, status=413)
    result = proof.plays_record(screen=screen, rows=plays, source=PlayRecord.Source.ENDPOINT)
    return JsonResponse(result.as_json(), json_dumps_params={"ensure_ascii": False})
