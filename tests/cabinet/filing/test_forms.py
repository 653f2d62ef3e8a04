"""Reading drafts from JSON: any input is either typed values or a 400 with a code — never a crash."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.filing.categories import CATEGORIES, category
from cabinet.filing.forms import DraftChanges, PartyRole, check_party_list, parse_party
from cabinet.filing.systemkey import demo_court_bin
from cabinet.identifiers import Bin, Iin, check_digit
from core.errors import SotkabError

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["court", "case_kind", "category", "filing_type", "claim_kind", "payer_kind",
                               "claim_amount", "copy_documents", "copy_pages", "exemption", "title", "case_number",
                               "parties", "nonsense"])


@given(st.dictionaries(field_names, json_values, max_size=6))
def test_any_json_body_parses_or_is_refused_with_a_400(body: dict[str, Any]) -> None:
    try:
        DraftChanges.parse(body)
    except SotkabError as exc:
        assert exc.status == 400 and exc.code


def _valid_iin(digits: str) -> str | None:
    number = f"900101{digits}"[:11]
    check = check_digit(number)
    return None if check is None else f"{number}{check}"


@given(st.text(alphabet="0123456789", min_size=5, max_size=5), st.text(min_size=1, max_size=40))
def test_a_valid_typed_iin_is_kept_in_compact_form(tail: str, name: str) -> None:
    iin = _valid_iin("3" + tail)
    if iin is None or not name.strip():
        return
    spaced = f"{iin[:6]} {iin[6:9]} {iin[9:]}"
    party = parse_party({"role": "defendant", "iin": spaced, "name": name})
    assert party.iin == iin and str(Iin(iin)) == iin
    check_party_list((party,), frozenset())


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_an_unknown_iin_is_accepted_only_with_a_valid_check_digit(iin: str) -> None:
    party = parse_party({"role": "defendant", "iin": iin, "name": "X"})
    try:
        Iin(iin)
        valid = True
    except SotkabError:
        valid = False
    try:
        check_party_list((party,), frozenset())
        assert valid
    except SotkabError as exc:
        assert not valid and exc.code == "invalid_iin"
    check_party_list((party,), frozenset({iin}))  # an IIN from a verified certificate is trusted as is


def test_a_representative_must_name_a_party_of_the_filing() -> None:
    plaintiff = parse_party({"role": "plaintiff", "iin": "950606400345", "name": "Ү"})
    lawyer = parse_party({"role": "representative", "iin": "880404300234", "name": "A",
                          "represents": "950606400345"})
    check_party_list((plaintiff, lawyer), frozenset({"880404300234"}))
    stray = parse_party({"role": "representative", "iin": "880404300234", "name": "A", "represents": "111111111110"})
    with pytest.raises(SotkabError) as refused:
        check_party_list((plaintiff, stray), frozenset({"880404300234"}))
    assert refused.value.code == "invalid_party"
    assert PartyRole.PLAINTIFF.initiating and not PartyRole.DEFENDANT.initiating


def test_every_category_code_is_found_and_unknown_ones_are_refused() -> None:
    for entry in CATEGORIES:
        assert category(entry.kind, entry.code) is entry
    with pytest.raises(SotkabError) as refused:
        category(CATEGORIES[0].kind, "99")
    assert refused.value.code == "invalid_category"


@given(st.text(min_size=1, max_size=10))
def test_the_demo_court_bin_always_passes_the_bin_rules(code: str) -> None:
    assert str(Bin(demo_court_bin(code))) == demo_court_bin(code)
