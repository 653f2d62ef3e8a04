"""The judge runs a hearing from the bench in a real Chromium, and the parties' pages show each step.

Three browsers, in other languages than test_hearing_room.py's (the judge reads Kazakh, the
plaintiff English, the defendant Russian). The equipment checks reach the bench: one stored before
the judge opened the page (loaded), one while it was open (pushed). The bench offers only the steps
the hearing's state allows, and changes them as the state changes. Then, each from the judge's
page: call, dismiss (back to the waiting room, where the party writes to the staff) and call again,
recording pause and resume (every page's recording indicator), deliberation and resumption (every
page's state banner), staff chat (the staff's only) and chat to everyone, a change of language
mid-hearing (the page comes back with its bench), and adjournment (every page says so). A party
in audio-only mode stops receiving video while still hearing everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.pages.hearing_world import HearingWorld, hearing_world
from tests.web.pages.room_pages import accessible, dataset, photograph, until

pytestmark = pytest.mark.chromium

VISIBLE_CONTROLS = ("[...document.querySelectorAll('[data-control]')].filter(b => !b.hidden)"
                    ".map(b => b.dataset.control + (b.dataset.reason ? ':' + b.dataset.reason : '')).sort().join(' ')")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[HearingWorld]:
    async with hearing_world(tmp_path) as hearing:
        yield hearing


def row(user: int) -> str:
    return f"#bench-people tr[data-user='{user}']"


async def offered(judge: Any, user: int) -> list[str]:
    """The controls the bench shows on one person."""
    return list(await judge.evaluate(f"[...document.querySelectorAll(\"{row(user)} [data-action]\")]"
                                     ".map(b => b.dataset.action)"))


async def room_word(page: Any, key: str, kind: str = "word") -> str:
    """A word as the page's own language table has it (what the person reads)."""
    return str(await page.evaluate(f"document.getElementById('room-words').content"
                                   f".querySelector('[data-{kind}={key}]').textContent"))


async def checked(page: Any) -> str:
    """Run the page's equipment check (preview, meter, connection test); the verdict it shows."""
    await until(page, "document.getElementById('check-preview').videoWidth > 0")
    await page.click("#connection-test")
    return str(await until(page, "document.getElementById('room').dataset.verdict", within=40))


async def video_and_audio_packets(page: Any) -> tuple[int, int]:
    """RTP packets the page has received in its occupied slots: video, audio (what the relay sent it;
    a starved browser may still be decoding a backlog, so packets, not decoded frames, tell)."""
    rows = await page.evaluate("hearingRoom.inbound()")
    return (sum(r.get("video_packets", 0) for r in rows if r["user_id"] is not None),
            sum(r.get("audio_packets", 0) for r in rows if r["user_id"] is not None))


async def chat_texts(page: Any, staff_only: bool = False) -> list[str]:
    selector = "#chat-log li.chat__staff" if staff_only else "#chat-log li"
    return list(await page.evaluate(f"[...document.querySelectorAll('{selector}')].map(li => li.textContent)"))


async def send_chat(page: Any, text: str, channel: str | None = None) -> None:
    await page.fill("#chat-text", text)
    if channel is not None:
        await page.select_option("#chat-channel", channel)
    await page.click("#chat-form button[type=submit]")
    await until(page, "document.getElementById('chat-text').value === ''")


async def test_the_judge_runs_the_hearing_from_the_bench(world: HearingWorld) -> None:
    ids = world.user_ids
    plaintiff_id, defendant_id = ids["plaintiff"], ids["defendant"]

    # The defendant checks before the judge has the page open; the bench loads that check.
    defendant = await world.open("defendant", language="ru")
    await defendant.goto(world.room_url("defendant"))
    defendant_verdict = await checked(defendant)
    await defendant.click("#check-done")
    await until(defendant, dataset("phase", "waiting"))

    judge = await world.open("judge", language="kk")
    await judge.goto(world.room_url("judge"))
    await until(judge, f"document.querySelector(\"{row(defendant_id)} td[data-check]\")"
                       f"?.dataset.check === {defendant_verdict!r}")
    # The waiting room is open: the bench offers opening the session or adjourning, nothing else.
    assert await until(judge, VISIBLE_CONTROLS) == "adjourn start"
    assert await offered(judge, defendant_id) == ["admit", "call", "mute", "remove"]

    # The plaintiff checks while the judge watches: the bench shows it at once.
    plaintiff = await world.open("plaintiff", language="en")
    await plaintiff.goto(world.room_url("plaintiff"))
    plaintiff_verdict = await checked(plaintiff)
    await until(judge, f"document.querySelector(\"{row(plaintiff_id)} td[data-check]\")"
                       f"?.dataset.check === {plaintiff_verdict!r}")
    assert await judge.text_content(f"{row(plaintiff_id)} td[data-check]") != await room_word(judge, "check_none")
    await plaintiff.click("#check-done")
    await until(plaintiff, dataset("phase", "waiting"))
    await accessible(plaintiff)
    await photograph(plaintiff, "room-waiting-en")

    # The session opens: the bench's steps follow the state.
    await judge.click("#check-done")
    await until(judge, dataset("phase", "room"))
    await judge.click("[data-control=start]")
    await until(judge, dataset("state", "in_session"))
    await until(judge, f"{VISIBLE_CONTROLS} === 'adjourn close pause:deliberation pause:recess recording_pause'")

    # Admit the plaintiff, call the defendant: both in the room, each seeing the two others.
    await judge.click(f"{row(plaintiff_id)} [data-action=admit]")
    await judge.click(f"{row(defendant_id)} [data-action=call]")
    people = {"judge": judge, "plaintiff": plaintiff, "defendant": defendant}
    for page in people.values():
        await until(page, dataset("media", "negotiated"))
        await until(page, "hearingRoom.inbound().then(rows => rows.filter(r => r.frames_decoded > 0).length >= 2)")
    await until(judge, f"document.querySelector(\"{row(defendant_id)} [data-action=dismiss]\") !== null")
    assert await offered(judge, defendant_id) == ["dismiss", "mute", "remove"]
    await accessible(judge)
    await photograph(judge, "room-judge-kk")
    await photograph(plaintiff, "room-participant-en")

    # Audio only: the plaintiff stops receiving video (the relay sends none), and still hears.
    await plaintiff.click("#audio-only")
    await until(plaintiff, dataset("receiveVideo", "false"))
    await asyncio.sleep(1.5)  # packets already on the way, and their retransmissions
    video, audio = await video_and_audio_packets(plaintiff)
    await asyncio.sleep(2.0)
    video_after, audio_after = await video_and_audio_packets(plaintiff)
    assert video_after == video, "audio-only mode still receives remote video"
    assert audio_after > audio + 20, "audio-only mode stopped the audio too"
    frames_after = await plaintiff.evaluate("hearingRoom.inbound().then(rows => rows.reduce((n, r) => "
                                            "n + (r.frames_decoded || 0), 0))")
    assert await defendant.evaluate(f"hearingRoom.inbound().then(rows => rows.find(r => r.user_id === "
                                    f"{plaintiff_id}).frames_decoded)") > 0  # her own camera still goes out
    await plaintiff.click("#audio-only")
    await until(plaintiff, dataset("receiveVideo", "true"))
    await until(plaintiff, f"hearingRoom.inbound().then(rows => rows.reduce((n, r) => n + (r.frames_decoded || 0), 0)"
                           f" > {frames_after + 10})")

    # Recording paused and resumed: every page's indicator says so.
    await judge.click("[data-control=recording_pause]")
    for page in people.values():
        await until(page, "document.getElementById('recording').dataset.on === 'false'")
        assert await page.text_content("#recording") == await room_word(page, "recording_paused")
    await until(judge, f"{VISIBLE_CONTROLS}.includes('recording_resume')")
    assert "recording_pause" not in (await judge.evaluate(VISIBLE_CONTROLS)).split()
    await judge.click("[data-control=recording_resume]")
    for page in people.values():
        await until(page, "document.getElementById('recording').dataset.on === 'true'")
        assert await page.text_content("#recording") == await room_word(page, "recording")

    # Deliberation: every page says the court retired; only resume, adjourn and close remain.
    await judge.click("[data-control=pause][data-reason=deliberation]")
    for page in people.values():
        await until(page, dataset("pauseReason", "deliberation"))
        assert await page.text_content("#hearing-state") == await room_word(page, "deliberation")
    await until(judge, f"{VISIBLE_CONTROLS} === 'adjourn close recording_pause resume'")
    await judge.click("[data-control=resume]")
    for page in people.values():
        await until(page, dataset("state", "in_session"))
        assert await page.text_content("#hearing-state") == await room_word(page, "in_session", "state")

    # Dismissed to the waiting room, the defendant writes to the staff; called back in.
    await judge.click(f"{row(defendant_id)} [data-action=dismiss]")
    await until(defendant, dataset("phase", "waiting"))
    assert await defendant.evaluate("document.querySelectorAll('#grid video').length") == 0
    await until(judge, f"document.querySelector(\"{row(defendant_id)} [data-action=call]\") !== null")
    await send_chat(defendant, "Можно мне вернуться в зал?")
    await until(judge, "[...document.querySelectorAll('#chat-log li.chat__staff')]"
                       ".some(li => li.textContent.includes('вернуться в зал'))")
    await judge.click(f"{row(defendant_id)} [data-action=call]")
    await until(defendant, dataset("phase", "room"))
    await until(defendant, dataset("media", "negotiated"))

    # Staff chat stays with the staff; a message to everyone reaches both parties.
    await send_chat(judge, "Эксперт кешігеді", channel="staff")
    await until(judge, "[...document.querySelectorAll('#chat-log li.chat__staff')]"
                       ".some(li => li.textContent.includes('Эксперт кешігеді'))")
    await send_chat(judge, "Тараптар, дайын болыңыздар", channel="all")
    for page in (plaintiff, defendant):
        await until(page, "[...document.querySelectorAll('#chat-log li')]"
                          ".some(li => li.textContent.includes('дайын болыңыздар'))")
        assert not any("Эксперт" in text for text in await chat_texts(page)), "a party read the staff chat"

    # The judge switches the page to Russian mid-hearing: it comes back with the bench, in Russian.
    await judge.click("form.language-switcher button[value=ru]")
    await until(judge, "document.documentElement.lang === 'ru' && document.getElementById('check-done') !== null")
    await judge.click("#check-done")
    await until(judge, dataset("phase", "room"))
    await until(judge, f"document.querySelector(\"{row(plaintiff_id)} [data-action=dismiss]\") !== null")
    await until(judge, "hearingRoom.inbound().then(rows => rows.filter(r => r.frames_decoded > 0).length >= 2)")
    assert await judge.text_content("#hearing-state") == await room_word(judge, "in_session", "state")
    await photograph(judge, "room-judge-ru")

    # Adjourned: every page says so and stops.
    await judge.click("[data-control=adjourn]")
    for page in people.values():
        await until(page, dataset("ended", "hearing_adjourned"))
        assert await page.text_content("#banner") == await room_word(page, "ended_hearing_adjourned")
        assert await page.evaluate("document.querySelectorAll('#grid video').length") == 0
