"""What a notice says: the CPC art. 128(2) particulars in Kazakh, Russian and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cabinet.notifications.contacts import parse_email, parse_phone
from cabinet.notifications.errors import InvalidContact
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
                      ["Суд", "Дело", "Время", "Место", "Вызываемое лицо", "В качестве"],
                      ["Court", "Case", "Time", "Place", "Person summoned", "Capacity"]]


def test_the_time_is_shown_in_kazakhstan_time_even_across_midnight() -> None:
    assert ("Time", "11.02.2026 04:30 (UTC+05:00)") in particulars(summons(), 2)


def test_an_informative_notice_names_an_addressee_not_a_person_summoned() -> None:
    content = NoticeContent.of("filing_registered", title="Иск зарегистрирован", body="", addressee="БЕКОВ БОЛАТ")
    assert particulars(content, 1) == [("Адресат", "БЕКОВ БОЛАТ")]
    assert render_email(content, LINK).subject == "Иск зарегистрирован"


def test_an_unknown_capacity_is_shown_as_the_court_wrote_it() -> None:
    assert ("В качестве", "законный представитель") in particulars(summons(capacity="законный представитель"), 1)


def test_the_email_puts_the_courts_words_first_and_then_each_language_with_the_link() -> None:
    email = render_email(summons(body="Явка обязательна."), LINK)
    assert email.subject == "[7594-26-00-2/000017] Судебное заседание назначено"
    assert email.text.startswith("Судебное заседание назначено\n\nЯвка обязательна.\n")
    assert email.text.index("— Қазақ тілінде —") < email.text.index("— На русском языке —") < email.text.index(
        "— In English —")
    assert email.text.count(LINK) == 3
    assert "Извещение считается врученным с момента его открытия в кабинете." in email.text


def test_the_sms_carries_both_official_languages_and_the_link() -> None:
    sms = render_sms(summons(), LINK)
    assert sms.splitlines()[0].startswith("Сот отырысына шақыру. Сот: Алмалинский районный суд; Іс: ")
    assert sms.splitlines()[1].startswith("Судебная повестка. Суд: Алмалинский районный суд; Дело: ")
    assert "свидетель" in sms and "куә" in sms and sms.endswith(LINK)


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
