"""Records, seals and composes a hearing of the browser tests' server, through the real code paths.

Run in a process of its own against the server's database and data directory (after
``seed_public``): the judge of the open case's hearing is listed on it, the recorder writes four
seconds of real VP8 + Opus (the relay tests' pre-encoded frames) as the tap would deliver them,
the recording service seals it with the court's key from the server's built-in CA, and a
composition worker composes and re-seals it. Prints ``{"recording_id", "directory"}``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cabinet.filing.models import Case
from cabinet.filing.storage import FilesystemStorage
from cabinet.filing.systemkey import CourtKeys
from cabinet.identity.models import User
from cabinet.identity.setup import open_builtin_ca
from core.clock import SystemClock
from core.config import load_config
from core.db import connect
from media.frames import EncodedFrame, Kind
from recordings.capture import HearingRecorder
from recordings.composition import Compositor
from recordings.service import RecordingService
from sessions.models import HearingParticipantRow, HearingRow
from tests.media.media_peers import OPUS_FRAMES, VP8_GOP
from tests.web.pages.seed_public import OPEN_CASE

JUDGE_IIN = "700707300783"
SECONDS = 4


def record(recorder: HearingRecorder, who: str, anchor: datetime) -> None:
    for video in range(SECONDS * 30):
        data = VP8_GOP[video % len(VP8_GOP)]
        recorder.on_frame(EncodedFrame(f"{who}/video", who, Kind.VIDEO, video * 3000, 90_000, anchor,
                                       data[0] & 1 == 0, data, False))
    for audio in range(SECONDS * 50):
        recorder.on_frame(EncodedFrame(f"{who}/audio", who, Kind.AUDIO, audio * 960, 48_000, anchor, True,
                                       OPUS_FRAMES[audio % len(OPUS_FRAMES)], False))


async def keep_lease(service: RecordingService, recording_id: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await service.renew([recording_id])
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except TimeoutError:
            pass


async def seed() -> dict[str, object]:
    config = load_config()
    clock = SystemClock()
    async with connect(config.database_url) as db:
        async with db.transaction() as session:
            case = await session.scalar(select(Case).where(Case.number == OPEN_CASE))
            assert case is not None
            hearing = await session.scalar(select(HearingRow).where(HearingRow.case_id == case.id))
            judge = await session.scalar(select(User).where(User.iin == JUDGE_IIN))
            assert hearing is not None and judge is not None
            session.add(HearingParticipantRow(hearing_id=hearing.id, user_id=judge.id, role="judge",
                                              display_name=judge.common_name, listed=True, presence="outside"))
            hearing_id, judge_id = hearing.id, judge.id
        keys = CourtKeys(config, open_builtin_ca(config))
        service = RecordingService(db, clock, config, keys, FilesystemStorage(config.storage_dir))
        started = await service.start(hearing_id)
        # The lease (recordings.service.LEASE, 4 s) is renewed every half second, as a live
        # recorder's process does, while the frames are written in a thread: otherwise the server's
        # recovery takes this recording for an abandoned one on a loaded host, seals it as crashed,
        # and this seal loses the race.
        stop = asyncio.Event()
        lease = asyncio.create_task(keep_lease(service, started.recording_id, stop))
        try:
            recorder = HearingRecorder(started.directory, clock)
            await asyncio.to_thread(record, recorder, str(judge_id), datetime.now(UTC) + timedelta(seconds=0.2))
            # The hearing lasts as long as its media: the end is stamped by the clock at close.
            await asyncio.sleep(SECONDS + 0.5)
            recorder.close()
            service.active.discard(started.recording_id)
            manifest = await service.seal(started.recording_id)
        finally:
            stop.set()
            await lease
        assert manifest.get("segments") and not manifest.get("ended_abnormally"), \
            f"the seeded recording was not sealed by the seed (another process took it): {manifest!r}"
        assert await Compositor(db, clock, keys).run_once()
    return {"recording_id": started.recording_id, "directory": str(Path(started.directory))}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed())))
    sys.exit(0)
