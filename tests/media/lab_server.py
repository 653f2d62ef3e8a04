"""The page server of the browser lab, run inside the hub namespace: ``python -m tests.media.lab_server``.

It serves one page (``PAGE``) and the three ways the page can connect:
- ``POST /relay/admit`` admits the page to this process's :class:`media.relay.Relay` (hearing "lab");
- ``/direct/...`` passes one offer and one answer between two pages (a direct browser call);
- ``/janus/...`` proxies Janus's REST API (a Janus started in the same namespace), so the page
  can run Janus's echotest without cross-origin requests.
``GET /relay/stats`` returns the relay's per-participant figures. It prints ``READY`` when it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

import aiohttp
from aiohttp import web

from media.relay import DEFAULT_START_BITRATE_KBPS, Relay

logger = logging.getLogger(__name__)

PAGE = r"""<!doctype html><html><head><meta charset="utf-8"><title>lab</title></head><body>
<div id="videos"></div>
<script>
const lab = {pc: null, stream: null, rx: [], quality: [], samples: []};
window.lab = lab;
async function media(audio) {
  return navigator.mediaDevices.getUserMedia({audio, video: {width: 640, height: 360, frameRate: 30}});
}
function attach(track) {
  const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
  el.autoplay = true; el.muted = true; el.playsInline = true;
  el.srcObject = new MediaStream([track]);
  document.getElementById('videos').appendChild(el);
  el.play().catch(() => {});
}
async function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise(resolve => pc.addEventListener('icegatheringstatechange',
    () => pc.iceGatheringState === 'complete' && resolve()));
}
function newPc() {
  const pc = new RTCPeerConnection({iceServers: []});
  pc.ontrack = e => attach(e.track);
  lab.pc = pc;
  return pc;
}
lab.joinRelay = async function (name, publish, slots) {
  const pc = newPc();
  if (publish) {
    lab.stream = await media(true);
    pc.addTransceiver(lab.stream.getAudioTracks()[0], {direction: 'sendonly'});
    pc.addTransceiver(lab.stream.getVideoTracks()[0], {direction: 'sendonly'});
  }
  for (let i = 0; i < slots; i++) {
    pc.addTransceiver('audio', {direction: 'recvonly'});
    pc.addTransceiver('video', {direction: 'recvonly'});
  }
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const reply = await fetch('/relay/admit', {method: 'POST', headers: {'content-type': 'application/json'},
    body: JSON.stringify({participant: name, publish, offer: pc.localDescription.sdp})});
  const body = await reply.json();
  if (!reply.ok) throw new Error(JSON.stringify(body));
  await pc.setRemoteDescription({type: 'answer', sdp: body.answer});
};
lab.callDirect = async function (role) {
  const pc = newPc();
  lab.stream = await media(true);
  for (const track of lab.stream.getTracks()) pc.addTransceiver(track, {direction: 'sendrecv'});
  if (role === 'caller') {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    await fetch('/direct/offer', {method: 'POST', body: pc.localDescription.sdp});
    let answer = null;
    while (!answer) { const r = await fetch('/direct/answer'); if (r.status === 200) answer = await r.text();
      else await new Promise(ok => setTimeout(ok, 100)); }
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
  } else {
    let offer = null;
    while (!offer) { const r = await fetch('/direct/offer'); if (r.status === 200) offer = await r.text();
      else await new Promise(ok => setTimeout(ok, 100)); }
    await pc.setRemoteDescription({type: 'offer', sdp: offer});
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await fetch('/direct/answer', {method: 'POST', body: pc.localDescription.sdp});
  }
};
async function janus(path, body) {
  const r = await fetch('/janus' + path, body ? {method: 'POST', body: JSON.stringify(body)} : {});
  return r.json();
}
lab.joinJanusEcho = async function () {
  const tx = () => Math.random().toString(36).slice(2);
  const session = (await janus('', {janus: 'create', transaction: tx()})).data.id;
  const handle = (await janus('/' + session, {janus: 'attach', plugin: 'janus.plugin.echotest',
    transaction: tx()})).data.id;
  const pc = newPc();
  lab.stream = await media(true);
  for (const track of lab.stream.getTracks()) pc.addTransceiver(track, {direction: 'sendrecv'});
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  await janus('/' + session + '/' + handle, {janus: 'message', transaction: tx(),
    body: {audio: true, video: true}, jsep: {type: 'offer', sdp: pc.localDescription.sdp}});
  let answer = null;
  lab.janusPoll = true;
  (async () => { while (lab.janusPoll) { const ev = await janus('/' + session + '?maxev=1');
    if (ev && ev.jsep && !answer) { answer = ev.jsep; await pc.setRemoteDescription(answer); } } })();
  while (!answer) await new Promise(ok => setTimeout(ok, 50));
};
lab.sample = async function () {
  const out = {t: performance.now() / 1000, outVideo: null, inbound: [], pair: null};
  if (!lab.pc) return out;
  const stats = await lab.pc.getStats();
  stats.forEach(s => {
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      out.outVideo = {bytes: s.bytesSent, width: s.frameWidth || 0, height: s.frameHeight || 0,
        fps: s.framesPerSecond || 0, limit: s.qualityLimitationReason, targetBitrate: s.targetBitrate || 0};
    } else if (s.type === 'inbound-rtp') {
      out.inbound.push({kind: s.kind, mid: s.mid, bytes: s.bytesReceived, packets: s.packetsReceived,
        lost: s.packetsLost, frames: s.framesDecoded || 0, keyframes: s.keyFramesDecoded || 0,
        width: s.frameWidth || 0, height: s.frameHeight || 0, fps: s.framesPerSecond || 0});
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
      out.pair = {outgoing: s.availableOutgoingBitrate || 0, incoming: s.availableIncomingBitrate || 0};
    }
  });
  return out;
};
</script></body></html>
"""


async def _janus_proxy(request: web.Request) -> web.StreamResponse:
    url = f"{request.app['janus']}{request.match_info['tail']}"
    session: aiohttp.ClientSession = request.app["http"]
    body = await request.read()
    async with session.request(request.method, url, params=request.query, data=body or None) as reply:
        return web.Response(body=await reply.read(), status=reply.status, content_type="application/json")


def build_app(start_bitrate_kbps: int | None, janus_url: str) -> web.Application:
    app = web.Application()
    relay = Relay(start_bitrate_kbps=start_bitrate_kbps)
    direct: dict[str, str] = {}

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def admit(request: web.Request) -> web.Response:
        body = await request.json()
        try:
            admission = await relay.admit("lab", str(body["participant"]), may_publish=bool(body["publish"]),
                                          privileged=False, offer_sdp=str(body["offer"]))
        except Exception as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"answer": admission.answer_sdp})

    async def stats(request: web.Request) -> web.Response:
        figures = await relay.stats("lab")
        return web.json_response({pid: s.as_dict() for pid, s in figures.items()})

    async def put_direct(request: web.Request) -> web.Response:
        direct[request.match_info["what"]] = await request.text()
        return web.Response(text="ok")

    async def get_direct(request: web.Request) -> web.Response:
        text = direct.get(request.match_info["what"])
        return web.Response(text=text) if text else web.Response(status=204)

    async def lifecycle(app: web.Application):  # type: ignore[no-untyped-def]
        app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=40))
        yield
        await app["http"].close()
        await relay.close()

    app["janus"] = janus_url
    app["relay"] = relay
    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/", page)
    app.router.add_post("/relay/admit", admit)
    app.router.add_get("/relay/stats", stats)
    app.router.add_post("/direct/{what}", put_direct)
    app.router.add_get("/direct/{what}", get_direct)
    app.router.add_route("*", "/janus{tail:.*}", _janus_proxy)
    return app


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--start-bitrate", type=int, default=None, help="kbps; 0 leaves Chromium's default")
    parser.add_argument("--janus", default="http://127.0.0.1:8088/janus")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    start = DEFAULT_START_BITRATE_KBPS if args.start_bitrate is None else (args.start_bitrate or None)
    app = build_app(start, args.janus)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "0.0.0.0", args.port).start()
    print("READY", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
