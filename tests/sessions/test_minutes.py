"""The minutes are the event log in words: every step and control, who and when, nothing invented."""

from __future__ import annotations

from datetime import timedelta

from core.clock import FixedClock
from sessions.controls import Controls
from sessions.hearings import HearingPlan
from sessions.labels import Language
from sessions.lifecycle import ChatChannel, Hearing, Lifecycle, MediaKind, PauseReason
from sessions.minutes import render_minutes

JUDGE, PLAINTIFF, WITNESS = "u-judge", "u-plaintiff", "u-witness"


def a_hearing(plan: HearingPlan, clock: FixedClock) -> Hearing:
    lifecycle = Lifecycle(clock)
    controls = Controls(lifecycle)
    clock.set(plan.start)
    h = lifecycle.start(Hearing("h-1", plan), JUDGE)
    h = controls.call(h, JUDGE, WITNESS)
    h = controls.mute(h, JUDGE, PLAINTIFF, MediaKind.AUDIO)
    h = controls.chat(h, PLAINTIFF, "Прошу приобщить документ; см. стр. 3, абзац 2")
    h = controls.chat(h, PLAINTIFF, "private note to the clerk", ChatChannel.STAFF)
    clock.advance(timedelta(minutes=30))
    h = lifecycle.pause(h, JUDGE, PauseReason.DELIBERATION)
    clock.advance(timedelta(minutes=20))
    h = lifecycle.resume(h, JUDGE)
    return lifecycle.close(h, JUDGE)


def test_english_minutes_list_the_case_people_and_every_event(plan: HearingPlan, clock: FixedClock) -> None:
    text = render_minutes(a_hearing(plan, clock), Language.EN)
    lines = text.splitlines()
    assert lines[:5] == [
        "Minutes of the court hearing",
        "Case: 2-1234/2026",
        "Courtroom: room-7",
        "Scheduled: 2026-01-15 10:00:00 UTC (60 min)",
        "Format: online; closed hearing",
    ]
    assert "  - Asel Nurlanova — representative, acting for Ivan Petrov (plaintiff)" in lines
    assert "  1. 2026-01-15 09:45:00 UTC System: opened the waiting room (automatically)" in lines
    assert "  2. 2026-01-15 10:00:00 UTC Айгерим Сатпаева (judge): opened the hearing" in lines
    assert "  3. 2026-01-15 10:00:00 UTC Айгерим Сатпаева (judge): called in — Olga Kim (witness)" in lines
    assert "  4. 2026-01-15 10:00:00 UTC Айгерим Сатпаева (judge): muted — Ivan Petrov (plaintiff) (audio)" in lines
    assert any("wrote to everyone: «Прошу приобщить документ; см. стр. 3, абзац 2»" in line for line in lines)
    assert "private note" not in text
    assert any("paused the hearing; reason: the court retired to the deliberation room" in line for line in lines)
    assert lines[-1] == "Final state: closed"


def test_staff_chat_appears_only_when_asked_for(plan: HearingPlan, clock: FixedClock) -> None:
    text = render_minutes(a_hearing(plan, clock), include_staff_chat=True)
    assert "wrote to the court staff: «private note to the clerk»" in text


def test_russian_minutes(plan: HearingPlan, clock: FixedClock) -> None:
    text = render_minutes(a_hearing(plan, clock), Language.RU)
    assert text.startswith("Протокол судебного заседания\nДело: 2-1234/2026\nЗал суда: room-7\n")
    assert "Формат: онлайн; закрытое заседание" in text
    assert "Айгерим Сатпаева (судья): объявил(а) перерыв; причина: суд удалился в совещательную комнату" in text
    assert "Система: открыл(а) зал ожидания (автоматически)" in text
    assert text.rstrip().endswith("Итоговое состояние: закрыто")


def test_unlisted_people_and_the_system_are_named_too(plan: HearingPlan, clock: FixedClock) -> None:
    lifecycle = Lifecycle(clock)
    clock.set(plan.start)
    h = Controls(lifecycle).remove(lifecycle.start(Hearing("h-1", plan), JUDGE), JUDGE, "u-heckler", "noise")
    h = lifecycle.adjourn(h, JUDGE, plan.start + timedelta(days=14))
    text = render_minutes(h)
    assert "removed from the hearing — u-heckler (observer); reason: noise" in text
    assert "adjourned the hearing; new date: 2026-01-29 10:00:00 UTC" in text


def test_kazakh_minutes(plan: HearingPlan, clock: FixedClock) -> None:
    """Kazakh, the state language: the same log in Kazakh words, postpositions after their noun."""
    text = render_minutes(a_hearing(plan, clock), Language.KK)
    assert text.startswith("Сот отырысының хаттамасы\nІс: 2-1234/2026\nСот залы: room-7\n")
    assert "Өткізу нысаны: онлайн; жабық отырыс" in text
    assert "  - Asel Nurlanova — өкіл, Ivan Petrov (талапкер) мүддесінде" in text
    assert "Айгерим Сатпаева (судья): үзіліс жариялады; себебі: сот кеңесу бөлмесіне кетті" in text
    assert "Айгерим Сатпаева (судья): микрофонын/камерасын өшірді — Ivan Petrov (талапкер) (дыбыс)" in text
    assert "Жүйе: күту залын ашты (автоматты түрде)" in text
    assert text.rstrip().endswith("Қорытынды жағдайы: жабылды")
    for russian in ("Протокол", "судебного", "перерыв", "(а)"):
        assert russian not in text, russian


def test_every_label_has_its_own_kazakh_and_russian_words() -> None:
    """No Kazakh or Russian entry is an English copy (a court's minutes are not half-translated)."""
    from sessions import labels

    for table in (labels._ROLES, labels._STATES, labels._ACTIONS, labels._OTHER, labels._WORDS):
        for key, (en, ru, kk) in table.items():
            assert en != ru and en != kk, key
            assert any("а" <= c <= "я" or c in "әғқңөұүһі" for c in (ru + kk).lower()), key
