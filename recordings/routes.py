"""The recordings HTTP API (see ``recordings/API.md``): handlers parse, authorize via the service, serialize."""

from __future__ import annotations

import asyncio
import logging
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from aiohttp import web

from cabinet.identity.http import require_principal
from cabinet.identity.setup import VERIFIER
from core.requests import json_object
from core.resources import CLOCK, CONFIG, DB
from recordings.errors import InvalidRecordingRequest, RangeNotSatisfiable
from recordings.links import Links
from recordings.minutes_signing import sign_minutes
from recordings.ranges import parse_range
from recordings.retention import Retention
from recordings.retrieval import Retrieval, Search

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()
BASE = "/api/v1/recordings"
ONE = BASE + "/{id}"
CHUNK = 256 * 1024
TYPES = {".webm": "video/webm", ".json": "application/json", ".cms": "application/pkcs7-signature",
         ".txt": "text/plain; charset=utf-8"}


def _retrieval(request: web.Request) -> Retrieval:
    """The read side, with the EDS verifier to judge the court's signature when the app has one."""
    return Retrieval(request.app[DB], request.app[CLOCK], request.app.get(VERIFIER))


def _id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not text.isdigit() or not 0 < int(text) < 2**31:
        raise InvalidRecordingRequest("a recording id is a positive integer", details={"field": "id"})
    return int(text)


def _when(request: web.Request, name: str) -> datetime | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidRecordingRequest(f"{name} is an ISO 8601 date or date-time", details={"field": name}) from None
    if value.tzinfo is None:
        raise InvalidRecordingRequest(f"{name} needs its time zone", details={"field": name})
    return value


def _int(request: web.Request, name: str, default: int | None) -> int | None:
    text = request.query.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or len(text) > 9:
        raise InvalidRecordingRequest(f"{name} is a positive integer", details={"field": name})
    return int(text)


@routes.get(BASE)
async def search(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    q = request.query
    query = Search(case_number=q.get("case") or None, court_code=q.get("court") or None,
                   courtroom=q.get("courtroom") or None, judge_user_id=_int(request, "judge", None),
                   start_from=_when(request, "from"), start_to=_when(request, "to"),
                   page=_int(request, "page", 1) or 0, per_page=_int(request, "per_page", 20) or 0)
    return web.json_response(await _retrieval(request).search(principal, query))


@routes.get(BASE + "/expired")
async def expired(request: web.Request) -> web.Response:
    """Recordings of the clerk's courts past their retention period (deleted only when confirmed)."""
    principal = await require_principal(request)
    items = await Retention(request.app[DB], request.app[CLOCK], request.app[CONFIG]).expired(principal)
    return web.json_response({"items": items})


@routes.post(ONE + "/delete")
async def delete(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    reason = body.get("reason")
    if not isinstance(reason, str):
        raise InvalidRecordingRequest("reason is required", details={"field": "reason"})
    tombstone = await Retention(request.app[DB], request.app[CLOCK], request.app[CONFIG]).delete(
        principal, _id(request), confirm=body.get("confirm") is True, reason=reason)
    return web.json_response(tombstone)


@routes.get(ONE)
async def view(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    return web.json_response(await _retrieval(request).view(principal, _id(request)))


@routes.get(ONE + "/verify")
async def verify(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    report = await _retrieval(request).verify(principal, _id(request))
    return web.json_response(report.to_json())


@routes.post(ONE + "/access")
async def grant(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    granted = body.get("granted")
    if not isinstance(granted, bool):
        raise InvalidRecordingRequest("granted is true or false", details={"field": "granted"})
    return web.json_response(await _retrieval(request).grant(principal, _id(request), granted))


@routes.post(ONE + "/links")
async def create_link(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request) if request.can_read_body else {}
    days = body.get("days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise InvalidRecordingRequest("days is a whole number", details={"field": "days"})
    link = await Links(request.app[DB], request.app[CLOCK]).create(principal, _id(request), days)
    return web.json_response(link.to_json(_id(request)), status=201)


@routes.delete(ONE + "/links/{link}")
async def revoke_link(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    text = request.match_info["link"]
    if not text.isdigit() or len(text) > 9:
        raise InvalidRecordingRequest("a link id is a positive integer", details={"field": "link"})
    await Links(request.app[DB], request.app[CLOCK]).revoke(principal, _id(request), int(text))
    return web.json_response({"revoked": True})


@routes.get("/api/v1/recording-links/{token}/files/{name}")
async def link_file(request: web.Request) -> web.StreamResponse:
    """A file through a share link: no login, the link is the credential (expiring, revocable)."""
    header = request.headers.get("Range")
    path = await Links(request.app[DB], request.app[CLOCK]).open(
        request.match_info["token"][:200], request.match_info["name"], header)
    return await _send(request, path, header)


@routes.get(ONE + "/export")
async def export(request: web.Request) -> web.StreamResponse:
    """One tar archive: the manifest, its signature, the minutes (and the clerk's signature), the segments."""
    principal = await require_principal(request)
    directory, names = await _retrieval(request).export(principal, _id(request))
    archive = await asyncio.to_thread(_tar, directory, names)
    try:
        response = web.StreamResponse(headers={
            "Content-Type": "application/x-tar", "Cache-Control": "private, no-store",
            "Content-Disposition": f'attachment; filename="recording-{_id(request)}.tar"',
            "Content-Length": str((await asyncio.to_thread(archive.stat)).st_size)})
        await response.prepare(request)
        await _copy(response, archive, 0, (await asyncio.to_thread(archive.stat)).st_size - 1)
        await response.write_eof()
        return response
    finally:
        await asyncio.to_thread(archive.unlink, True)


def _tar(directory: Path, names: list[str]) -> Path:
    handle = tempfile.NamedTemporaryFile(prefix="recording-export-", suffix=".tar", delete=False)
    with handle, tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in names:
            archive.add(directory / name, arcname=f"{directory.name}/{name}", recursive=False)
    return Path(handle.name)


@routes.post(ONE + "/minutes-signature")
async def sign_minutes_route(request: web.Request) -> web.Response:
    """The clerk's detached CMS over minutes.txt (base64, as NCALayer returns it)."""
    principal = await require_principal(request)
    body = await json_object(request)
    signature = body.get("signature")
    if not isinstance(signature, str):
        raise InvalidRecordingRequest("signature is required (base64 CMS)", details={"field": "signature"})
    result = await sign_minutes(request.app[DB], request.app[CLOCK], request.app[VERIFIER], principal,
                                _id(request), signature)
    return web.json_response(result, status=201)


@routes.get(ONE + "/files/{name}")
async def file(request: web.Request) -> web.StreamResponse:
    """One file, whole or by byte ranges (seeking in a player); ``?download=1`` saves it."""
    principal = await require_principal(request)
    name = request.match_info["name"]
    header = request.headers.get("Range")
    path = await _retrieval(request).file(principal, _id(request), name, byte_ranges=header)
    return await _send(request, path, header)


async def _send(request: web.Request, path: Path, header: str | None) -> web.StreamResponse:
    size = (await asyncio.to_thread(path.stat)).st_size
    try:
        ranges = parse_range(header, size)
    except RangeNotSatisfiable as exc:
        return web.json_response(exc.to_json(), status=416, headers={"Content-Range": f"bytes */{size}"})
    kind = TYPES.get(path.suffix, "application/octet-stream")
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, no-store"}
    if request.query.get("download") in ("1", "true"):
        headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
    if ranges is None:
        response = web.StreamResponse(status=200, headers={**headers, "Content-Type": kind,
                                                           "Content-Length": str(size)})
        await response.prepare(request)
        await _copy(response, path, 0, size - 1)
    elif len(ranges) == 1:
        first, last = ranges[0]
        response = web.StreamResponse(status=206, headers={
            **headers, "Content-Type": kind, "Content-Range": f"bytes {first}-{last}/{size}",
            "Content-Length": str(last - first + 1)})
        await response.prepare(request)
        await _copy(response, path, first, last)
    else:
        boundary = "sotkab-" + path.stem.replace("-", "")[:20]
        parts = [(f"--{boundary}\r\nContent-Type: {kind}\r\nContent-Range: bytes {a}-{b}/{size}\r\n\r\n".encode(), a, b)
                 for a, b in ranges]
        closing = f"\r\n--{boundary}--\r\n".encode()
        length = sum(len(h) + (b - a + 1) for h, a, b in parts) + 2 * (len(parts) - 1) + len(closing)
        response = web.StreamResponse(status=206, headers={
            **headers, "Content-Type": f"multipart/byteranges; boundary={boundary}", "Content-Length": str(length)})
        await response.prepare(request)
        for index, (head, a, b) in enumerate(parts):
            await response.write((b"\r\n" if index else b"") + head)
            await _copy(response, path, a, b)
        await response.write(closing)
    await response.write_eof()
    return response


async def _copy(response: web.StreamResponse, path: Path, first: int, last: int) -> None:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        await asyncio.to_thread(handle.seek, first)
        left = last - first + 1
        while left > 0:
            chunk = await asyncio.to_thread(handle.read, min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            await response.write(chunk)
    finally:
        handle.close()
