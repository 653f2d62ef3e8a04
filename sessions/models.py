"""Tables of hearings: the booking and its state, its people and their presence, and its event log.

The hearing row is the one several server processes share: its lifecycle state is changed only in
a transaction that holds the row ``FOR UPDATE``, and every change appends to ``hearing_events``
(``seq`` unique per hearing), which is what the minutes are drawn from. The public calendar reads
``hearings`` directly, hence the plain column names and the (courtroom_id, start) index.

Public observers of an open hearing get a ``hearing_participants`` row too (``listed`` false): it
carries their presence, so a removed observer stays removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime


class HearingRow(Base):
    __tablename__ = "hearings"
    __table_args__ = (
        Index("ix_hearings_courtroom_start", "courtroom_id", "start"),
        Index("ix_hearings_case_id", "case_id"),
        Index("ix_hearings_start", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    courtroom_id: Mapped[int] = mapped_column(ForeignKey("courtrooms.id"))
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    is_open: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(2), default="ru", server_default="ru")
    """The language of the proceedings (kk, ru, en), set at scheduling: the minutes are written in it."""
    auto_admit: Mapped[bool] = mapped_column(Boolean, default=False)
    lobby_lead_minutes: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    pause_reason: Mapped[str | None] = mapped_column(String(30), default=None)
    suspend_reason: Mapped[str | None] = mapped_column(String(30), default=None)
    cancel_reason: Mapped[str | None] = mapped_column(Text, default=None)
    adjourned_to: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    recording_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    participants: Mapped[list[HearingParticipantRow]] = relationship(
        back_populates="hearing", lazy="raise", order_by="HearingParticipantRow.id", cascade="all, delete-orphan"
    )


class HearingParticipantRow(Base):
    __tablename__ = "hearing_participants"
    __table_args__ = (
        UniqueConstraint("hearing_id", "user_id", name="uq_hearing_participants_hearing_user"),
        Index("ix_hearing_participants_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(300))
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    represents_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    presence: Mapped[str] = mapped_column(String(20), default="outside")
    resume_to: Mapped[str | None] = mapped_column(String(20), default=None)
    muted_audio: Mapped[bool] = mapped_column(Boolean, default=False)
    muted_video: Mapped[bool] = mapped_column(Boolean, default=False)
    hand_raised: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    disconnected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_stats: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    hearing: Mapped[HearingRow] = relationship(back_populates="participants", lazy="raise")


class HearingEventRow(Base):
    __tablename__ = "hearing_events"
    __table_args__ = (UniqueConstraint("hearing_id", "seq", name="uq_hearing_events_hearing_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    action: Mapped[str] = mapped_column(String(30))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EquipmentCheckRow(Base):
    """A person's latest equipment check for a hearing (:mod:`sessions.equipment`), for the clerk."""

    __tablename__ = "hearing_equipment_checks"
    __table_args__ = (UniqueConstraint("hearing_id", "user_id", name="uq_hearing_equipment_checks_hearing_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(10))
    rtt_ms: Mapped[float | None] = mapped_column(Float, default=None)
    packet_loss: Mapped[float | None] = mapped_column(Float, default=None)
    bitrate_kbps: Mapped[float | None] = mapped_column(Float, default=None)
    camera: Mapped[str] = mapped_column(String(200), default="")
    microphone: Mapped[str] = mapped_column(String(200), default="")
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
