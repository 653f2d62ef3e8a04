"""The clerk's recordings desk: find a hearing's record, play it, download it, verify its seal, share it.

Server-rendered like the other desks; every action is one call of the recordings package, which
checks who may see what (the clerks and judges of the recording's court; the parties where the
access rules let them) and audits every view, download, verification and link. The player is a
plain ``<video>`` on the file API: the browser seeks with HTTP Range requests, which the API
answers (206), so nothing here streams bytes itself. Composition progress follows live through
the page's ``/cabinet`` socket (``frontend/src/live.js``); without script the page shows the
progress as of its render.

The verification is shown field by field: the court's signature, each file the manifest lists,
the manifest itself against the copy the court sealed, the clerk's signature over the minutes —
each OK, or what no longer matches.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select

from cabinet.courts import Court
from cabinet.identity.models import RoleGrant, User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from cabinet.identity.setup import VERIFIER
from core.clock import COURT_TIME
from core.resources import CLOCK, DB
from recordings.errors import InvalidRecordingRequest
from recordings.links import Links
from recordings.manifest import MANIFEST, MINUTES, SIGNATURE
from recordings.retrieval import Retrieval, Search
from recordings.verify import MINUTES_SIGNATURE, Report
from web.i18n import N_
from web.pages.access import logged_in, row_id
from web.pages.csrf import check_csrf
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

ONE = r"/recordings/{id:\d{1,9}}"
"""A record's page: for everybody entitled to it (the case page links parties here), not only staff."""
PER_PAGE = 20
FIELD_MESSAGES = {
    "from": N_("Enter the first day as a date, for example 2026-03-02."),
    "to": N_("Enter the last day as a date, on or after the first day."),
    "judge": N_("Choose a judge from the list."),
    "days": N_("A link lasts from 1 to 30 days."),
}
STATES = {"recording": N_("Being recorded"), "sealed": N_("Sealed"), "deleted": N_("Deleted under retention")}
COMPOSITION = {"queued": N_("Waiting to be composed"), "running": N_("Being composed"),
               "done": N_("Composed"), "failed": N_("Composition failed")}
LINK_DONE = N_("The link was revoked.")


def _retrieval(request: web.Request) -> Retrieval:
    return Retrieval(request.app[DB], request.app[CLOCK], request.app.get(VERIFIER))


def _day(text: str) -> date | None:
    """A date field; ValueError when it is not an ISO date (what ``<input type=date>`` sends)."""
    return date.fromisoformat(text) if text else None


async def _judges(request: web.Request, principal: Principal) -> list[tuple[int, str]]:
    """The judges of the courts where the person is clerk or judge, for the search's list."""
    courts = sorted(principal.courts_with(Role.CLERK) | principal.courts_with(Role.JUDGE))
    async with request.app[DB].sessions() as session:
        rows = (await session.execute(
            select(User.id, User.common_name).join(RoleGrant, RoleGrant.user_id == User.id)
            .where(RoleGrant.role == Role.JUDGE.value, RoleGrant.court_id.in_(courts), RoleGrant.revoked_at.is_(None))
            .distinct().order_by(User.common_name))).all()
    return [(int(user_id), str(name)) for user_id, name in rows]


async def _courts(request: web.Request, principal: Principal) -> list[str]:
    ids = sorted(principal.courts_with(Role.CLERK) | principal.courts_with(Role.JUDGE))
    async with request.app[DB].sessions() as session:
        return list(await session.scalars(select(Court.code).where(Court.id.in_(ids)).order_by(Court.code)))


def _search_of(values: dict[str, str], judges: list[tuple[int, str]],
               page: int) -> tuple[Search | None, dict[str, str]]:
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name in ("from", "to"):
        try:
            days[name] = _day(values[name])
        except ValueError:
            errors[name] = FIELD_MESSAGES[name]
    if not errors and days["from"] and days["to"] and days["to"] < days["from"]:
        errors["to"] = FIELD_MESSAGES["to"]
    judge = None
    if values["judge"]:
        if not values["judge"].isdigit() or int(values["judge"]) not in {j for j, _ in judges}:
            errors["judge"] = FIELD_MESSAGES["judge"]
        else:
            judge = int(values["judge"])
    if errors:
        return None, errors
    first, last = days["from"], days["to"]
    start = None if first is None else datetime.combine(first, time(0, 0), COURT_TIME).astimezone(UTC)
    end = None if last is None else datetime.combine(last, time(23, 59, 59), COURT_TIME).astimezone(UTC)
    return Search(case_number=values["case"] or None, court_code=values["court"] or None,
                  courtroom=values["courtroom"] or None, judge_user_id=judge, start_from=start,
                  start_to=end, page=page, per_page=PER_PAGE), {}


@routes.get("/staff/recordings")
async def desk(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    judges = await _judges(request, principal)
    values = {name: request.query.get(name, "").strip()[:64] for name in ("case", "court", "courtroom", "judge",
                                                                           "from", "to")}
    page_text = request.query.get("page", "1")
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 100_000 else 1
    search, errors = _search_of(values, judges, page)
    result: dict[str, Any] = {"items": [], "total": 0, "page": page}
    if search is not None:
        result = await _retrieval(request).search(principal, search)
    names = dict(judges)
    pages = max(1, -(-int(result["total"]) // PER_PAGE))
    query = {k: v for k, v in values.items() if v}
    return await render(request, "staff/recordings.html", {
        "values": values, "errors": errors, "judges": judges, "courts": await _courts(request, principal),
        "items": [{**item, "judge": names.get(item["judge_user_id"] or 0, "—"),
                   "state_text": STATES.get(item["state"], item["state"])} for item in result["items"]],
        "total": result["total"], "page": page, "pages": pages,
        "previous": urlencode({**query, "page": page - 1}) if page > 1 else None,
        "next": urlencode({**query, "page": page + 1}) if page < pages else None,
    }, status=400 if errors else 200)


async def _record(request: web.Request, principal: Principal, recording_id: int, *,
                  created: dict[str, Any] | None = None, error: str | None = None, banner: str | None = None,
                  status: int = 200) -> web.Response:
    view = await _retrieval(request).view(principal, recording_id)
    links = await Links(request.app[DB], request.app[CLOCK]).listed(principal, recording_id)
    manifest = view.get("manifest") or {}
    composition = view.get("composition")
    composed = manifest.get("composed")
    files = [{"name": segment["file"], "what": segment["kind"], "participant": segment["participant"],
              "size": segment.get("size")} for segment in manifest.get("segments", [])]
    return await render(request, "staff/recording.html", {
        "record": view, "state_text": STATES.get(view["state"], view["state"]),
        "composition": composition, "composition_states": COMPOSITION,
        "composition_text": COMPOSITION.get((composition or {}).get("state", ""), ""),
        "composed": composed, "files": files, "minutes": manifest.get("minutes"), "links": links,
        "created": created, "error": error, "banner": banner, "participants": manifest.get("participants", []),
        "base": f"/api/v1/recordings/{recording_id}",
    }, status=status)


@routes.get(ONE)
async def record(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    banner = LINK_DONE if request.query.get("done") == "revoked" else None
    return await _record(request, principal, row_id(request), banner=banner)


@routes.post(ONE + "/links")
async def create_link(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    recording_id = row_id(request)
    text = str(form.get("days") or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= 30:
        return await _record(request, principal, recording_id, error=FIELD_MESSAGES["days"], status=400)
    try:
        link = await Links(request.app[DB], request.app[CLOCK]).create(principal, recording_id, int(text))
    except InvalidRecordingRequest:
        return await _record(request, principal, recording_id, error=FIELD_MESSAGES["days"], status=400)
    created = {**link.to_json(recording_id), "expires": datetime.fromisoformat(link.expires_at),
               "composed_url": f"/api/v1/recording-links/{link.token}/files/composed.webm"}
    return await _record(request, principal, recording_id, created=created, status=201)


@routes.post(ONE + r"/links/{link:\d{1,9}}/revoke")
async def revoke_link(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    check_csrf(request, (await request.post()).get("csrf_token"))
    recording_id = row_id(request)
    await Links(request.app[DB], request.app[CLOCK]).revoke(principal, recording_id, row_id(request, "link"))
    raise web.HTTPSeeOther(f"/recordings/{recording_id}?done=revoked#links")


def report_rows(report: Report, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per thing checked: the signature, the sealed manifest, each listed file, the minutes' signature."""
    problems: dict[str, list[str]] = {}
    for finding in report.findings:
        problems.setdefault(finding.what.split(":", 1)[0], []).append(
            f"{finding.what.split(':', 1)[1]}: {finding.problem}" if ":" in finding.what else finding.problem)
    rows = [{"label": N_("The court's signature over the manifest"), "name": SIGNATURE,
             "problems": problems.pop(SIGNATURE, [])},
            {"label": N_("The manifest, against the copy the court sealed"), "name": MANIFEST,
             "problems": problems.pop(MANIFEST, [])}]
    names = [str(s["file"]) for s in manifest.get("segments", [])]
    if manifest.get("minutes"):
        names.append(MINUTES)
    if manifest.get("composed"):
        names.append(str(manifest["composed"]["file"]))
    for name in names:
        rows.append({"label": N_("File"), "name": name, "problems": problems.pop(name, [])})
    if report.minutes_signer or MINUTES_SIGNATURE in problems:
        rows.append({"label": N_("The clerk's signature over the minutes"), "name": MINUTES_SIGNATURE,
                     "problems": problems.pop(MINUTES_SIGNATURE, [])})
    for name, found in sorted(problems.items()):
        rows.append({"label": N_("File"), "name": name, "problems": found})
    return rows


@routes.get(ONE + "/verify")
async def verify(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    recording_id = row_id(request)
    retrieval = _retrieval(request)
    report = await retrieval.verify(principal, recording_id)
    view = await retrieval.view(principal, recording_id)
    return await render(request, "staff/recording_verify.html", {
        "record": view, "report": report, "rows": report_rows(report, view.get("manifest") or {})})
