"""Tables of filing and cases: drafts and submitted filings, cases, parties, documents, the timeline.

A *filing* is what a person sends (a draft until submitted); a *case* is what the court opens when
the clerk registers a new claim, application or complaint. Filings of other types (motions,
responses, appeals…) attach to an existing case. Parties are stored twice on purpose: as the filer
typed them on the filing (evidence of what was filed) and as the case's parties (what the court
works with). Access is by IIN, so a party who first logs in after the case opened sees it at once.

Documents are content-addressed: the row keeps the SHA-256 that names the bytes in storage, the
detached CMS, the verifier's result and the revocation evidence, so the signature can be re-checked
years later without trusting anything else we stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime


class Filing(Base):
    __tablename__ = "filings"
    __table_args__ = (Index("ix_filings_court_status", "court_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"), default=None)
    case_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    category: Mapped[str | None] = mapped_column(String(2), default=None)
    filing_type: Mapped[str | None] = mapped_column(String(30), default=None)
    claim_kind: Mapped[str | None] = mapped_column(String(30), default=None)
    payer_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    claim_amount_tiyn: Mapped[int | None] = mapped_column(BigInteger, default=None)
    copy_documents: Mapped[int | None] = mapped_column(Integer, default=None)
    copy_pages: Mapped[int | None] = mapped_column(Integer, default=None)
    exemption: Mapped[str | None] = mapped_column(String(40), default=None)
    exemption_status: Mapped[str | None] = mapped_column(String(12), default=None)
    exemption_decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    exemption_decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    exemption_reason: Mapped[str | None] = mapped_column(Text, default=None)
    claim_reduced_after_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(500), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None, index=True)
    fee_quote: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    fee_tiyn: Mapped[int | None] = mapped_column(BigInteger, default=None)
    incoming_number: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    return_reason: Mapped[str | None] = mapped_column(Text, default=None)
    receipt: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    receipt_cms: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    parties: Mapped[list[FilingParty]] = relationship(
        back_populates="filing", lazy="raise", order_by="FilingParty.position", cascade="all, delete-orphan"
    )


class FilingParty(Base):
    __tablename__ = "filing_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20))
    iin: Mapped[str | None] = mapped_column(String(12), default=None)
    bin: Mapped[str | None] = mapped_column(String(12), default=None)
    name: Mapped[str] = mapped_column(String(300))
    represents: Mapped[str | None] = mapped_column(String(12), default=None)
    filing: Mapped[Filing] = relationship(back_populates="parties", lazy="raise")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_court_status", "court_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    case_kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(2))
    closed_category: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(30))
    motion_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    judge_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None, index=True)
    opening_filing_id: Mapped[int] = mapped_column(Integer)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", lazy="raise", order_by="CaseParty.id", cascade="all, delete-orphan"
    )


class CaseParty(Base):
    __tablename__ = "case_parties"
    __table_args__ = (Index("ix_case_parties_iin", "iin"), Index("ix_case_parties_bin", "bin"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    iin: Mapped[str | None] = mapped_column(String(12), default=None)
    bin: Mapped[str | None] = mapped_column(String(12), default=None)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(String(300))
    represents: Mapped[str | None] = mapped_column(String(12), default=None)
    joined_by_filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"), default=None)
    #: A representative acts in the case only once accepted, on a lawyer grant or the party's signed
    #: power of attorney (see :func:`cabinet.filing.cases.representative_authority`).
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    authority: Mapped[str | None] = mapped_column(String(24), default=None)
    case: Mapped[Case] = relationship(back_populates="parties", lazy="raise")


class CaseEvent(Base):
    """One entry of the case timeline: a status change or a fact such as a judge assigned."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30), default=None)
    to_status: Mapped[str | None] = mapped_column(String(30), default=None)
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Document(Base):
    """A signed document: filed by a party (incoming) or issued by the court (outgoing)."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None, index=True)
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300), default="")
    original_name: Mapped[str] = mapped_column(String(300))
    document_type: Mapped[str] = mapped_column(String(10))
    mime_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    signer_iin: Mapped[str | None] = mapped_column(String(12), default=None)
    signer_name: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cms: Mapped[bytes] = mapped_column(LargeBinary)
    verification: Mapped[dict[str, Any]] = mapped_column(JSON)
    revocation_evidence: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class JudicialAct(Base):
    __tablename__ = "judicial_acts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("case_documents.id"), unique=True)
    act_type: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JudgeAssignment(Base):
    """Who got the case and why: the open-case count of every judge at the moment of assignment."""

    __tablename__ = "judge_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(30))
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)


class RegistryCounter(Base):
    """A running number: incoming numbers per (court, year), case numbers per (court, year, kind).

    Allocation is one ``UPDATE … SET value = value + 1 … RETURNING value`` on this row, so two
    concurrent registrations line up on the row lock (PostgreSQL) or the write lock (SQLite).
    """

    __tablename__ = "registry_counters"
    __table_args__ = (UniqueConstraint("series", "court_id", "year", "kind", name="uq_registry_counters_series"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(20))
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class FeeDeferral(Base):
    """A filer's request to defer the state duty (Tax Code art. 135) and the judge's decision on it.

    While ``requested`` or ``granted`` the filing proceeds unpaid; ``due_date`` (court time) is when
    the duty must be paid, at most a year after the decision; ``reminded_at`` records the notice
    sent before it and ``overdue_at`` the notice to the judge once it passed unpaid.
    """

    __tablename__ = "fee_deferrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("filings.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_until: Mapped[date | None] = mapped_column(Date, default=None)
    instalments: Mapped[int | None] = mapped_column(Integer, default=None)
    """Monthly parts asked for instead of one due date (:mod:`cabinet.fee_instalments`); None: a deferral."""
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    decision_reason: Mapped[str | None] = mapped_column(Text, default=None)
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
