"""The demo court's people and the browser tests' seeded staff carry IINs that pass the check digit:
nothing the demo or the page tests show works only because a registered user's IIN is trusted."""

from __future__ import annotations

import pytest

from cabinet.demo import DEMO_PEOPLE, DemoPerson
from cabinet.errors import InvalidIdentifier
from cabinet.identifiers import Iin, has_valid_check_digit
from cabinet.identity.roles import Role
from tests.web.pages import seed_public


@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda p: p.slug)
def test_every_demo_person_has_a_valid_iin(person: DemoPerson) -> None:
    assert has_valid_check_digit(person.iin)
    assert str(Iin(person.iin)) == person.iin


def test_a_demo_person_with_a_mistyped_iin_cannot_even_be_written_down() -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        DemoPerson("judge", "720315300128", "СЕЙТҚАЛИЕВ", "АРМАН", "ЖАНҰЛЫ", Role.JUDGE)
    assert refused.value.details["reason"] == "checksum"


@pytest.mark.parametrize("iin", [seed_public.CLERK_IIN, seed_public.JUDGE_IIN])
def test_the_page_tests_seed_staff_with_valid_iins(iin: str) -> None:
    assert has_valid_check_digit(iin)
