"""Every code a page may show has its name: a new status or role cannot reach a page untranslated."""

from __future__ import annotations

from cabinet.case_numbers import CaseKind
from cabinet.case_status import CaseStatus
from cabinet.filing.categories import CATEGORIES
from cabinet.filing.forms import PartyRole
from sessions.hearings import HearingFormat
from sessions.lifecycle import HearingState
from sessions.public.calendar import PUBLISHED_ROLES
from web.i18n import LANGUAGES, translations
from web.pages import vocabulary


def test_every_code_has_a_name() -> None:
    assert set(vocabulary.CASE_STATUS) == {s.value for s in CaseStatus}
    assert set(vocabulary.CASE_KIND) == {k.value for k in CaseKind}
    assert set(vocabulary.CATEGORY) == {(c.kind.value, c.code) for c in CATEGORIES}
    assert set(vocabulary.HEARING_FORMAT) == {f.value for f in HearingFormat}
    assert set(vocabulary.HEARING_STATE) == {s.value for s in HearingState}
    assert set(vocabulary.PARTY_ROLE) == {r.value for r in PartyRole} >= set(PUBLISHED_ROLES)


def test_the_category_names_are_the_registry_titles() -> None:
    for category in CATEGORIES:
        assert vocabulary.CATEGORY[(category.kind.value, category.code)] == category.title


def test_each_name_reads_differently_in_each_language() -> None:
    for table in (vocabulary.CASE_STATUS, vocabulary.CASE_KIND, vocabulary.HEARING_STATE, vocabulary.PARTY_ROLE):
        for message in table.values():
            assert translations("en").gettext(message) == message
            assert len({translations(language).gettext(message) for language in LANGUAGES}) >= 2, message


def test_every_case_action_document_kind_and_filing_type_has_a_name() -> None:
    from cabinet.case_status import CaseAction
    from cabinet.fees import FilingType
    from cabinet.filing.documents import DocumentKind

    assert {a.value for a in CaseAction} <= set(vocabulary.TIMELINE)
    assert set(vocabulary.DOCUMENT_KIND) == {k.value for k in DocumentKind}
    assert set(vocabulary.FILING_TYPE) == {t.value for t in FilingType}


def test_every_timeline_fact_recorded_anywhere_has_a_name() -> None:
    """Facts are recorded with literal names (``timeline.fact(case, "hearing_moved", ...)``)."""
    import re

    from tests.conftest import REPO

    recorded = set()
    for path in [*REPO.glob("cabinet/**/*.py"), *REPO.glob("sessions/**/*.py"), *REPO.glob("recordings/**/*.py")]:
        recorded |= set(re.findall(r"\.fact\(\s*\w+,\s*\"(\w+)\"", path.read_text()))
    assert recorded, "no timeline facts found: has the Timeline API changed?"
    assert recorded <= set(vocabulary.TIMELINE), recorded - set(vocabulary.TIMELINE)
