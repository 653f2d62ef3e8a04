"""Reading a fee request from the quote API's query parameters: what each field takes, what a blank
means, and how a wrong value is named — the refusals a person typing into the fee form sees."""

from __future__ import annotations

from datetime import date

import pytest

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid
from cabinet.fee_kinds import ClaimKind, FilingType, PayerKind
from cabinet.fees import FeeRequest, quote
from cabinet.money import Money

IN_2026 = date(2026, 3, 2)


def claim(amount: Money) -> FeeRequest:
    return FeeRequest(CaseKind.CIVIL, FilingType.STATEMENT_OF_CLAIM, ClaimKind.PROPERTY, PayerKind.INDIVIDUAL,
                      claim_amount=amount)


def test_parse_reads_query_parameters() -> None:
    request = FeeRequest.parse(
        {"case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "property",
         "payer_kind": "individual", "claim_amount": "1 000 000,00", "exemption": ""}
    )
    assert request == claim(Money.tenge(1_000_000))
    copies = FeeRequest.parse({"case_kind": "civil", "filing_type": "application", "claim_kind": "copy_reissue",
                               "payer_kind": "individual", "documents": "2", "pages": "15"})
    assert (copies.documents, copies.pages) == (2, 15)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"filing_type": "appeal", "claim_kind": "property", "payer_kind": "individual"}, "case_kind",
         "fee_request_invalid"),
        ({"case_kind": "civil", "filing_type": "lawsuit", "claim_kind": "property", "payer_kind": "individual"},
         "filing_type", "fee_request_invalid"),
        ({"case_kind": "civil", "filing_type": "appeal", "claim_kind": "property", "payer_kind": "individual",
          "claim_amount": "12.345"}, "claim_amount", "invalid_claim_amount"),
        ({"case_kind": "civil", "filing_type": "application", "claim_kind": "copy_reissue",
          "payer_kind": "individual", "documents": "-1"}, "documents", "invalid_count"),
        ({"case_kind": "civil", "filing_type": "application", "claim_kind": "copy_reissue",
          "payer_kind": "individual", "documents": "1", "pages": "٣"}, "pages", "invalid_count"),
    ],
)
def test_parse_names_the_wrong_field(fields: dict[str, str], field: str, code: str) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse(fields)
    assert info.value.details["field"] == field
    assert info.value.code == code


COPIES = {"case_kind": "civil", "filing_type": "application", "claim_kind": "copy_reissue", "payer_kind": "individual"}
PROPERTY = {"case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "property",
            "payer_kind": "individual"}


def test_parse_reads_the_exemption_a_party_claims() -> None:
    request = FeeRequest.parse({**PROPERTY, "claim_amount": "500000", "exemption": "labour"})
    assert request.exemption == "labour"
    assert quote(request, IN_2026).amount == Money.zero()
    assert FeeRequest.parse({**PROPERTY, "exemption": None}).exemption is None


def test_parse_takes_blank_optional_fields_as_absent() -> None:
    request = FeeRequest.parse({**COPIES, "claim_amount": "", "exemption": "", "documents": "", "pages": ""})
    assert (request.claim_amount, request.exemption, request.documents, request.pages) == (None, None, None, None)


@pytest.mark.parametrize(("name", "missing"), [("case_kind", None), ("filing_type", ""), ("claim_kind", None),
                                               ("payer_kind", "")])
def test_parse_says_which_values_a_missing_field_takes(name: str, missing: str | None) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse({**PROPERTY, name: missing})
    allowed = {"case_kind": CaseKind, "filing_type": FilingType, "claim_kind": ClaimKind,
               "payer_kind": PayerKind}[name]
    assert info.value.message == f"{name} is required (one of {[member.value for member in allowed]})"
    assert (info.value.code, info.value.details) == ("fee_request_invalid", {"field": name})


def test_parse_quotes_a_wrong_value_cut_to_forty_characters() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse({**PROPERTY, "payer_kind": "x" * 50})
    assert info.value.message == f"payer_kind {'x' * 40!r} is not one of ['individual', 'legal_entity']"


def test_parse_explains_a_malformed_claim_amount() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse({**PROPERTY, "claim_amount": "12.345"})
    assert info.value.code == "invalid_claim_amount"
    assert info.value.message and "12.345" in info.value.message


@pytest.mark.parametrize("count", ["abc", "1.5", "-1", "٣", "1" * 5000, "10001", "1234567"])
def test_parse_refuses_a_count_that_is_not_a_whole_number_in_range(count: str) -> None:
    """Anything but 1 to 10,000 in plain digits is refused with one message (a huge string must not
    reach ``int()``, which refuses more than 4,300 digits with an untyped error)."""
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse({**COPIES, "documents": "1", "pages": count})
    assert (info.value.code, info.value.details) == ("invalid_count", {"field": "pages"})
    assert info.value.message == "pages must be a whole number from 1 to 10000"

@pytest.mark.parametrize(("documents", "named"), [("123456", "pages"), ("1234567", "documents")])
def test_parse_reads_counts_of_up_to_six_digits_and_refuses_longer_ones_at_once(documents: str, named: str) -> None:
    """Up to six digits a count is read as a number and checked against 1..10,000 with the whole request
    (after every field is read, so a wrong ``pages`` is named first); longer text is refused as it is
    read, before ``int()`` sees it."""
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse({**COPIES, "documents": documents, "pages": "many"})
    assert info.value.details == {"field": named}
    with pytest.raises(FeeRequestInvalid) as alone:
        FeeRequest.parse({**COPIES, "documents": documents, "pages": "1"})
    assert alone.value.details == {"field": "documents"}


PROPERTY_KINDS = (CaseKind.CIVIL, FilingType.STATEMENT_OF_CLAIM, ClaimKind.PROPERTY, PayerKind.INDIVIDUAL)


@pytest.mark.parametrize(("position", "name", "kind"), [(0, "case_kind", "CaseKind"), (1, "filing_type", "FilingType"),
                                                        (2, "claim_kind", "ClaimKind"),
                                                        (3, "payer_kind", "PayerKind")])
def test_a_request_built_in_code_refuses_text_where_a_kind_belongs(position: int, name: str, kind: str) -> None:
    """Code that builds a request by hand (the drafts, the wizard) gets the same typed refusal as the API,
    not a quote for a kind that merely prints like one."""
    values: list[object] = list(PROPERTY_KINDS)
    values[position] = PROPERTY_KINDS[position].value
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest(*values)  # type: ignore[arg-type]
    assert info.value.message == f"{name} must be a {kind}"
    assert (info.value.code, info.value.details) == ("fee_request_invalid", {"field": name})


def test_a_request_built_in_code_refuses_an_amount_that_is_not_money_or_not_positive() -> None:
    with pytest.raises(FeeRequestInvalid) as text:
        FeeRequest(*PROPERTY_KINDS, claim_amount="1000")  # type: ignore[arg-type]
    assert (text.value.message, text.value.code, text.value.details) == (
        "claim_amount must be Money", "fee_request_invalid", {"field": "claim_amount"})
    for amount, shown in ((Money.zero(), "0.00"), (Money.parse("-5"), "-5.00")):
        with pytest.raises(FeeRequestInvalid) as info:
            FeeRequest(*PROPERTY_KINDS, claim_amount=amount)
        assert info.value.message == f"the claim amount must be positive, got {shown}"
        assert (info.value.code, info.value.details) == ("invalid_claim_amount", {"field": "claim_amount"})
    assert FeeRequest(*PROPERTY_KINDS, claim_amount=Money.parse("0.01")).claim_amount == Money.parse("0.01")


@pytest.mark.parametrize("exemption", ["", 7])
def test_a_request_built_in_code_refuses_an_exemption_that_is_not_a_code(exemption: object) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest(*PROPERTY_KINDS, exemption=exemption)  # type: ignore[arg-type]
    assert (info.value.message, info.value.code, info.value.details) == (
        "exemption must be an exemption code", "fee_request_invalid", {"field": "exemption"})


@pytest.mark.parametrize("name", ["documents", "pages"])
@pytest.mark.parametrize("count", [0, -1, 10_001, True, "3", 2.0])
def test_a_request_built_in_code_refuses_a_count_out_of_range_or_not_an_int(name: str, count: object) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest(*PROPERTY_KINDS, **{name: count})  # type: ignore[arg-type]
    assert info.value.message == f"{name} must be a whole number from 1 to 10000"
    assert (info.value.code, info.value.details) == ("invalid_count", {"field": name})


def test_a_request_built_in_code_takes_counts_from_1_to_10000() -> None:
    assert FeeRequest(*PROPERTY_KINDS, documents=1, pages=10_000).pages == 10_000
    assert FeeRequest(*PROPERTY_KINDS, documents=10_000, pages=1).documents == 10_000
