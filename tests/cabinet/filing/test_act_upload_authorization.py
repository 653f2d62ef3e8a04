"""``POST /api/v1/staff/cases/{number}/acts`` refuses a caller before reading their upload.

The attack: anyone logged in streams a large body at the act endpoint; the server used to spool
and hash all of it into the court's storage before asking whether the caller is the case's judge.
Here the body is only *begun* over a raw socket: the refusal must come back while the client is
still "sending", and nothing reaches storage.
"""

from __future__ import annotations

import asyncio
import json

from tests.cabinet.filing.conftest import Court, registered_case

BOUNDARY = "sotkabboundary"


async def _begin_upload(court: Court, who: str, number: str, declared: int) -> tuple[int, dict[str, object]]:
    headers = await court.as_(who)
    server = court.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        head = (f"POST /api/v1/staff/cases/{number}/acts HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                f"Authorization: {headers['Authorization']}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {declared}\r\n\r\n")
        first_part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"act.pdf\"\r\n"
                      "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n")
        writer.write(head.encode() + first_part.encode() + b"0" * 65536)
        await writer.drain()
        # the rest of the declared body never comes: only a server that answers first can reply
        status_line = await asyncio.wait_for(reader.readline(), timeout=30)
        header_block = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
        length = next(int(line.split(b":", 1)[1]) for line in header_block.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        body = json.loads(await asyncio.wait_for(reader.readexactly(length), timeout=30))
        return int(status_line.split()[1]), body
    finally:
        writer.close()


async def test_another_judge_is_refused_before_the_upload_is_read(court: Court) -> None:
    _, number = await registered_case(court)
    files = court.stored_files()

    status, body = await _begin_upload(court, "judge2", number, declared=15 * 1024 * 1024)

    assert status == 403 and body["error"]["code"] == "not_judge_of_case"  # type: ignore[index]
    assert court.stored_files() == files


async def test_a_party_is_refused_before_the_upload_is_read(court: Court) -> None:
    _, number = await registered_case(court)

    status, body = await _begin_upload(court, "alice", number, declared=15 * 1024 * 1024)

    assert status == 403, body
