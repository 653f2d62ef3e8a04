"""What a notice says: the CPC art. 128(2) particulars in Kazakh, Russian and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cabinet.notifications.contacts import parse_email, parse_phone
from cabinet.notifications.errors import InvalidContact, NoticeInvalid
from cabinet.notifications.notices import NoticeContent, particulars, render_email, render_sms

LINK = "https://sot.example.kz/api/v1/notifications/7"


def summons(**overrides: object) -> NoticeContent:
    values: dict[str, object] = dict(title="Судебное заседание назначено", body="", addressee="БЕКОВ БОЛАТ",
                                     court="Алмалинский районный суд", case_number="7594-26-00-2/000017",
                                     capacity="witness", when=datetime(2026, 2, 10, 23, 30, tzinfo=UTC),
                                     place="Зал 1")
    values.update(overrides)
    return NoticeContent.of("hearing_scheduled", **values)


def test_a_summons_names_the_court_case_time_place_person_and_capacity_in_every_language() -> None:
    labels = [[label for label, _ in particulars(summons(), lang)] for lang in range(3)]
    assert labels == [["Сот", "Іс", "Уақыты", "Орны", "Шақырылатын тұлға", "Қатысу мәртебесі"],
                      ["Суд", "Дело", "Время", "Место", "Вызываемое лицо", "Процессуальное положение"],
                      ["Court", "Case", "Time", "Place", "Person summoned", "Capacity"]]


def test_the_capacity_is_named_in_the_nominative_after_its_label() -> None:
    assert ("Процессуальное положение", "свидетель") in particulars(summons(), 1)
    assert ("Қатысу мәртебесі", "куә") in particulars(summons(), 0)


def test_the_time_is_shown_in_kazakhstan_time_even_across_midnight() -> None:
    assert ("Time", "11.02.2026 04:30 (UTC+05:00)") in particulars(summons(), 2)


def test_an_informative_notice_names_an_addressee_not_a_person_summoned() -> None:
    content = NoticeContent.of("filing_registered", title="Иск зарегистрирован", body="", addressee="БЕКОВ БОЛАТ",
                               language="ru")
    assert particulars(content, 1) == [("Адресат", "БЕКОВ БОЛАТ")]
    assert render_email(content, LINK).subject == "Иск зарегистрирован"


def test_an_unknown_capacity_is_shown_as_the_court_wrote_it() -> None:
    assert ("Процессуальное положение", "законный представитель") in particulars(
        summons(capacity="законный представитель"), 1)


def test_the_email_is_wholly_in_the_readers_language_with_the_link_once() -> None:
    email = render_email(summons(body="Явка обязательна.", language="ru"), LINK)
    assert email.subject == "Судебное заседание назначено"
    assert email.text.startswith("Судебное заседание назначено\n\nЯвка обязательна.\n")
    assert "Суд: Алмалинский районный суд" in email.text and "Процессуальное положение: свидетель" in email.text
    assert email.text.count(LINK) == 1
    assert "Извещение считается врученным с момента его открытия в кабинете." in email.text
    assert not any(word in email.text for word in ("Court", "Сот:", "Уақыты", "Time"))


def test_the_sms_is_in_the_readers_language_and_ends_with_the_link() -> None:
    sms = render_sms(summons(title="Сот отырысына шақыру", language="kk"), LINK)
    assert sms.startswith("Сот отырысына шақыру. Сот: Алмалинский районный суд; Іс: ")
    assert "куә" in sms and "свидетель" not in sms and sms.endswith("\n" + LINK)


def test_a_notice_in_a_language_the_court_does_not_write_is_refused() -> None:
    with pytest.raises(NoticeInvalid) as refused:
        summons(language="de")
    assert refused.value.details == {"field": "language"}


@pytest.mark.parametrize(("text", "normal"), [
    ("+7 701 234 56 78", "+77012345678"), ("87012345678", "+77012345678"), ("+7(727)272-01-01", "+77272720101"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_numbers_are_stored_in_e164(text: str, normal: str) -> None:
    assert parse_phone(text) == normal


@pytest.mark.parametrize("text", ["", "+", "7701", "+0123456789", "+7 701 234 56 789", "+1234567890123456",
                                  "+7701２３４５６７８"])
def test_impossible_phone_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidContact) as refused:
        parse_phone(text)
    assert refused.value.code == "invalid_phone"


def test_email_domains_are_lower_cased_but_the_mailbox_is_kept() -> None:
    assert parse_email("Aliya.Alieva+court@Mail.Example.KZ") == "Aliya.Alieva+court@mail.example.kz"


@pytest.mark.parametrize("text", ["", "@example.kz", "aliya@", ".aliya@example.kz", "aliya@-example.kz",
                                  "aliya@example.k", "a@b@example.kz", "aliya@exa_mple.kz", "x" * 65 + "@example.kz"])
def test_impossible_email_addresses_are_refused(text: str) -> None:
    with pytest.raises(InvalidContact) as refused:
        parse_email(text)
    assert refused.value.code == "invalid_email"
