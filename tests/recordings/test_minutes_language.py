"""The minutes sealed with a recording are written in the hearing's language, set when it is booked.

Kazakh is the state language and Russian is used officially beside it; a court may also hear a case
in English (the AIFC). The clerk picks the language when booking; without one the hearing is in
Russian. A language the court does not write minutes in is refused at booking and nothing is stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sessions.models import HearingRow
from tests.recordings.test_access import recorded
from tests.signaling.conftest import Courthouse, iin_of

FIRST_LINES = {
    "kk": ("Сот отырысының хаттамасы", "Іс: ", "Қорытынды жағдайы: жабылды", "сот отырысын ашты"),
    "ru": ("Протокол судебного заседания", "Дело: ", "Итоговое состояние: закрыто", "открыл(а) судебное заседание"),
    "en": ("Minutes of the court hearing", "Case: ", "Final state: closed", "opened the hearing"),
}

COURTROOM = {"kk": "Сот залы", "ru": "Зал суда", "en": "Courtroom"}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_the_sealed_minutes_are_in_the_hearings_language(courthouse: Courthouse, language: str) -> None:
    h = courthouse
    record = await recorded(h, is_open=True, language=language)
    assert record["manifest"]["minutes"]["language"] == language
    minutes = (await (await h.court.get("clerk", f"/api/v1/recordings/{record['id']}/files/minutes.txt"))
               .read()).decode("utf-8")
    title, case, final, opened = FIRST_LINES[language]
    lines = minutes.splitlines()
    assert lines[0] == title and lines[1].startswith(case) and lines[-1] == final, minutes
    assert lines[2].startswith(f"{COURTROOM[language]}: Зал 1 ("), "the courtroom's stored name, after its label"
    assert opened in minutes
    others = [FIRST_LINES[other][0] for other in FIRST_LINES if other != language]
    assert not any(other in minutes for other in others)

    hearing = record["hearing_id"]
    staff = await (await h.court.get("clerk", f"/api/v1/hearings/{hearing}")).json()
    assert staff["language"] == language
    read = await h.court.get("clerk", f"/api/v1/hearings/{hearing}/minutes")
    assert (await read.text()).splitlines()[0] == title, "the minutes API defaults to the hearing's language"


async def test_a_hearing_without_a_language_is_in_russian_and_a_foreign_one_is_refused(
        courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge"})
    assert (await (await h.court.get("clerk", f"/api/v1/hearings/{hearing}")).json())["language"] == "ru"
    async with h.court.db.transaction() as session:
        before = await session.scalar(select(func.count()).select_from(HearingRow))
    for language in ("de", "KK", "", 7, None):
        body = {"case": h.case_number, "courtroom": "Зал 1", "start": "2030-01-10T10:00:00+05:00",
                "duration_minutes": 30, "format": "online", "language": language,
                "participants": [{"iin": iin_of(h.court.cast.judge), "role": "judge"}]}
        response = await h.app.client.post("/api/v1/hearings", json=body, headers=await h.court.as_("clerk"))
        assert response.status == 400, (language, await response.text())
        error = (await response.json())["error"]
        assert error["code"] == "invalid_hearing" and error["details"]["field"] == "language", error
    async with h.court.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(HearingRow)) == before
