"""The background sender: real SMTP, retries with backoff, nothing lost, each message sent once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cabinet.notifications.email import SmtpMailer
from cabinet.notifications.models import Channel, Delivery, SandboxSms
from cabinet.notifications.outbox import notify
from cabinet.notifications.sender import RetryPolicy, Sender
from cabinet.notifications.sms import SandboxSmsProvider, SmsTransport
from core.clock import FixedClock
from core.db import Database
from tests.cabinet.notifications.conftest import Mailbox, SmtpServers, free_port
from tests.cabinet.notifications.test_outbox import HEARING, add_user

POLICY = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=10))
COURT = "Алмалинский районный суд города Алматы"
CASE = "7594-26-00-2/000017"


def make_sender(db: Database, clock: FixedClock, port: int, *, batch: int = 20) -> Sender:
    return Sender(db, clock, {
        Channel.EMAIL: SmtpMailer("127.0.0.1", port, "court@sud.example.kz", clock, timeout=5),
        Channel.SMS: SmsTransport(SandboxSmsProvider(db, clock)),
    }, public_url="https://sot.example.kz/", policy=POLICY, batch=batch)


async def summon(db: Database, clock: FixedClock, user: int) -> int:
    async with db.transaction() as session:
        return await notify(session, clock, user_id=user, kind="hearing_scheduled",
                            facts={"case_number": CASE}, case_id=17,
                            court=COURT, case_number=CASE, capacity="defendant", when=HEARING, place="Зал 1")


async def deliveries(db: Database) -> list[Delivery]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


def clock() -> FixedClock:
    return FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))


async def test_an_email_notice_reaches_a_real_smtp_server_with_the_cpc_particulars_intact(
        db: Database, smtp: SmtpServers) -> None:
    """Wholly in the Russian the reader chose: the capacity declined after «в качестве»."""
    now, port = clock(), free_port()
    mailbox = smtp.start(port)
    notice = await summon(db, now, await add_user(db, email="aliya@example.kz", language="ru"))

    assert await make_sender(db, now, port).run_once() == 1

    [message] = mailbox.messages()
    assert mailbox.received[0][0] == ["aliya@example.kz"]
    assert message["Subject"] == f"Судебная повестка по делу {CASE}"
    assert message["From"] == "court@sud.example.kz" and message["To"] == "aliya@example.kz"
    text = message.get_content()
    for line in (f"Суд: {COURT}", f"Дело: {CASE}", "Время: 10.02.2026 10:00 (UTC+05:00)", "Место: Зал 1",
                 "Вызываемое лицо: ӘЛИЕВА АЛИЯ", "Процессуальное положение: ответчик",
                 f"Вы вызываетесь в судебное заседание по делу {CASE} в качестве ответчика.",
                 f"https://sot.example.kz/api/v1/notifications/{notice}"):
        assert line in text, line
    for other in ("Сот отырысына шақыру", "Шақырылатын тұлға", "Summons", "Person summoned", "В качестве:"):
        assert other not in text, other
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.sent_at, row.claim) == ("sent", 1, now.now(), None)
    assert row.provider_ref == message["Message-ID"]


async def test_a_down_smtp_server_loses_nothing_the_notice_goes_out_when_it_returns(
        db: Database, smtp: SmtpServers) -> None:
    now, port = clock(), free_port()
    sender = make_sender(db, now, port)
    await summon(db, now, await add_user(db, email="aliya@example.kz"))

    assert await sender.run_once() == 1  # nothing listens on the port
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.deferrals) == ("pending", 0, 1)
    assert "unreachable" in (row.last_error or "")
    assert row.next_attempt_at == now.now() + timedelta(seconds=30)
    assert await sender.run_once() == 0  # not due yet

    for _ in range(6):  # a long outage: far more rounds than max_attempts, still pending
        now.advance(timedelta(minutes=10))
        assert await sender.run_once() == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.deferrals) == ("pending", 0, 7)
    assert row.next_attempt_at == now.now() + POLICY.max_delay

    mailbox = smtp.start(port)
    now.advance(POLICY.max_delay)
    assert await sender.run_once() == 1
    assert len(mailbox.received) == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)


async def test_a_temporary_refusal_is_retried_with_backoff_until_the_attempts_run_out(
        db: Database, smtp: SmtpServers) -> None:
    now, port = clock(), free_port()
    smtp.start(port, Mailbox(refuse="451 4.3.0 mailbox busy, try later"))
    sender = make_sender(db, now, port)
    await summon(db, now, await add_user(db, email="aliya@example.kz"))

    assert await sender.run_once() == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 1, now.now() + timedelta(seconds=30))
    now.advance(timedelta(seconds=30))
    assert await sender.run_once() == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 2, now.now() + timedelta(seconds=60))
    now.advance(timedelta(seconds=60))
    assert await sender.run_once() == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts) == ("failed", 3)
    assert "451" in (row.last_error or "")
    now.advance(timedelta(days=1))
    assert await sender.run_once() == 0


async def test_a_permanent_refusal_fails_the_delivery_at_once(db: Database, smtp: SmtpServers) -> None:
    now, port = clock(), free_port()
    smtp.start(port, Mailbox(refuse="550 5.1.1 no such mailbox"))
    await summon(db, now, await add_user(db, email="nobody@example.kz"))
    assert await make_sender(db, now, port).run_once() == 1
    [row] = await deliveries(db)
    assert (row.state, row.attempts) == ("failed", 1)
    assert "550" in (row.last_error or "")


async def test_the_sms_sandbox_records_the_message_in_the_state_language_when_none_was_chosen(
        db: Database) -> None:
    now = clock()
    notice = await summon(db, now, await add_user(db, phone="+77012345678"))
    assert await make_sender(db, now, free_port()).run_once() == 1
    async with db.transaction() as session:
        [sms] = list(await session.scalars(select(SandboxSms)))
    assert sms.phone == "+77012345678" and sms.sent_at == now.now()
    for part in (f"Сот отырысына шақыру: {CASE} ісі", f"Іс: {CASE}", "Орны: Зал 1", "Қатысу мәртебесі: жауапкер",
                 f"https://sot.example.kz/api/v1/notifications/{notice}"):
        assert part in sms.text, part
    assert "Судебная повестка" not in sms.text and "Дело:" not in sms.text
    [row] = await deliveries(db)
    assert (row.channel, row.state, row.provider_ref) == ("sms", "sent", f"sandbox-sms-{sms.id}")


async def test_without_a_mail_transport_email_waits_while_sms_goes_out(db: Database) -> None:
    now = clock()
    await summon(db, now, await add_user(db, email="aliya@example.kz", phone="+77012345678"))
    sender = Sender(db, now, {Channel.SMS: SmsTransport(SandboxSmsProvider(db, now))},
                    public_url="https://sot.example.kz", policy=POLICY)
    assert await sender.run_once() == 1
    assert [(r.channel, r.state, r.attempts) for r in await deliveries(db)] == [
        ("email", "pending", 0), ("sms", "sent", 1)]


async def test_a_sender_that_died_mid_send_is_taken_over_after_its_lease(db: Database, smtp: SmtpServers) -> None:
    now, port = clock(), free_port()
    mailbox = smtp.start(port)
    await summon(db, now, await add_user(db, email="aliya@example.kz"))
    dead = make_sender(db, now, port)
    assert len(await dead._claim("deadbeef")) == 1  # claimed, then the process died
    alive = make_sender(db, now, port)
    assert await alive.run_once() == 0
    now.advance(POLICY.lease)
    assert await alive.run_once() == 1
    assert len(mailbox.received) == 1
    [row] = await deliveries(db)
    assert row.state == "sent"


async def test_two_senders_running_concurrently_deliver_every_message_exactly_once(
        db: Database, smtp: SmtpServers) -> None:
    now, port = clock(), free_port()
    mailbox = smtp.start(port)
    users = [await add_user(db, f"9001014{i:05d}", email=f"party{i}@example.kz") for i in range(40)]
    for user in users:
        await summon(db, now, user)
    second_db = Database(db.url)
    try:
        senders = [make_sender(db, now, port, batch=3), make_sender(second_db, now, port, batch=3)]

        async def drain(sender: Sender) -> int:
            handled = 0
            while (count := await sender.run_once()) > 0:
                handled += count
            return handled

        handled = await asyncio.gather(*(drain(s) for s in senders))
    finally:
        await second_db.close()
    assert all(count > 0 for count in handled), handled  # both really took part
    assert sum(handled) == 40
    ids = [m["Message-ID"] for m in mailbox.messages()]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert sorted(rcpt for rcpts, _ in mailbox.received for rcpt in rcpts) == sorted(
        f"party{i}@example.kz" for i in range(40))
    assert {r.state for r in await deliveries(db)} == {"sent"}
