"""A viewer in its own process, so a test can freeze it (SIGSTOP) like a stalled browser tab.

Protocol on stdin/stdout, one JSON line each: it prints {"offer": sdp}, reads {"answer": sdp},
then prints {"frames": n} every 0.2 s while it runs.
"""

from __future__ import annotations

import asyncio
import json
import sys

from aiortc import RTCSessionDescription

from tests.media.media_peers import Peer


async def main() -> None:
    peer = Peer(sys.argv[1], publish=False, slots=2)
    print(json.dumps({"offer": await peer.offer()}), flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await peer.pc.setRemoteDescription(RTCSessionDescription(json.loads(line)["answer"], "answer"))
    while True:
        print(json.dumps({"frames": sum(len(i.video) for i in peer.inboxes)}), flush=True)
        await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(main())
