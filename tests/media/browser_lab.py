"""Real Chromium against the relay (or Janus, or each other), each browser in its own namespace.

Shared by tests/media/test_browser_bwe.py and bench/bwe.py. The hub namespace runs the page
server (tests/media/lab_server.py, with the relay in it) and optionally Janus; each browser is
Debian's Chromium driven by Playwright, started inside its client namespace through a small
launcher, fed a generated 640×360/30 fps Y4M clip as its camera. Links are shaped with tc.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.media import netlab

logger = logging.getLogger(__name__)

CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]
PORT = 8090
WIDTH, HEIGHT, FPS = 640, 360, 30
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--no-sandbox",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--disable-features=WebRtcHideLocalIpsWithMdns", "--autoplay-policy=no-user-gesture-required",
    "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
]


def unavailable_reason() -> str | None:
    """Why the browser lab cannot run here (None when it can)."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (Debian package chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed: pip install -e '.[dev]'"
    return netlab.unavailable_reason()


def make_clip(directory: Path, *, frames: int = 150, noise_rows: int = 4, block: int = 8, seed: int = 7) -> Path:
    """A hard-to-compress 640×360/30 fps Y4M: scrolling random blocks plus a band of fresh noise.

    Scrolling texture costs the encoder motion search and residuals on every frame; the noise
    band (``noise_rows`` rows, new every frame) keeps a steady floor of incompressible bits. At
    ~1.5 Mbps VP8 keeps 640×360; far below that Chromium's quality scaler steps the resolution down.
    """
    path = directory / f"clip-{frames}-{noise_rows}-{block}-{seed}.y4m"
    if path.exists():
        return path
    rng = random.Random(seed)
    speed = 2
    texture_width = WIDTH + speed * frames
    rows = []
    for _ in range(HEIGHT // block):
        blocks = bytes(rng.randrange(16, 236) for _ in range(texture_width // block + 1))
        row = bytes(b for b in blocks for _ in range(block))[:texture_width]
        rows += [row] * block
    chroma_size = (WIDTH // 2) * (HEIGHT // 2)
    tmp = path.with_suffix(".part")
    with tmp.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(frames):
            offset = i * speed
            luma = bytearray(b"".join(row[offset:offset + WIDTH] for row in rows))
            band = (i * 7) % (HEIGHT - noise_rows)
            luma[band * WIDTH:(band + noise_rows) * WIDTH] = rng.randbytes(noise_rows * WIDTH)
            out.write(b"FRAME\n")
            out.write(bytes(luma))
            out.write(bytes([(96 + i) % 256]) * chroma_size)
            out.write(bytes([160]) * chroma_size)
    tmp.rename(path)
    return path


@dataclass
class Sampler:
    """Per-second samples of one page's getStats, turned into rates."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    _last: dict[str, Any] | None = None

    def add(self, sample: dict[str, Any]) -> dict[str, Any]:
        last, self._last = self._last, sample
        row: dict[str, Any] = {"t": sample["t"], "out_kbps": 0.0, "out_width": 0, "out_fps": 0.0,
                               "estimate_kbps": 0.0, "in": {}}
        span = sample["t"] - last["t"] if last else 0.0
        out = sample.get("outVideo")
        if out:
            row.update(out_width=out["width"], out_height=out["height"], out_fps=out["fps"],
                       limit=out["limit"])
            if last and last.get("outVideo") and span > 0:
                row["out_kbps"] = (out["bytes"] - last["outVideo"]["bytes"]) * 8 / span / 1000
        if sample.get("pair"):
            row["estimate_kbps"] = sample["pair"]["outgoing"] / 1000
            row["incoming_estimate_kbps"] = sample["pair"]["incoming"] / 1000
        previous = {s["mid"]: s for s in (last or {}).get("inbound", [])}
        for stream in sample.get("inbound", []):
            before = previous.get(stream["mid"])
            kbps = (stream["bytes"] - before["bytes"]) * 8 / span / 1000 if before and span > 0 else 0.0
            got = stream["packets"] - before["packets"] if before else 0
            lost = stream["lost"] - before["lost"] if before else 0
            row["in"][stream["mid"]] = {"kind": stream["kind"], "kbps": kbps, "width": stream["width"],
                                        "fps": stream["fps"], "frames": stream["frames"],
                                        "packets": stream["packets"],
                                        "loss": lost / (got + lost) if got + lost > 0 else 0.0}
        self.rows.append(row)
        return row

    def inbound_video(self) -> list[dict[str, Any]]:
        """Per row, the busiest inbound video stream (or an empty one)."""
        empty = {"kbps": 0.0, "width": 0, "fps": 0.0, "frames": 0, "loss": 0.0}
        return [max((s for s in row["in"].values() if s["kind"] == "video"), key=lambda s: s["kbps"],
                    default=empty) for row in self.rows]

    def inbound(self, kind: str) -> list[list[dict[str, Any]]]:
        return [[s for s in row["in"].values() if s["kind"] == kind] for row in self.rows]


class BrowserLab:
    """One hub (page server + relay, optionally Janus) and any number of shaped Chromium clients."""

    def __init__(self, workdir: Path, *, start_bitrate_kbps: int | None = None, janus: bool = False) -> None:
        self.workdir = workdir
        self.start_bitrate_kbps = start_bitrate_kbps
        self.with_janus = janus
        self.net = netlab.NetLab()
        self.clip = make_clip(workdir)
        self.pages: dict[str, Any] = {}
        self._server: asyncio.subprocess.Process | None = None
        self._janus: asyncio.subprocess.Process | None = None
        self._playwright: Any = None
        self._browsers: list[Any] = []

    async def __aenter__(self) -> BrowserLab:
        from playwright.async_api import async_playwright

        self.net.__enter__()
        try:
            if self.with_janus:
                await self._start_janus()
            command = [*self.net.exec_prefix(self.net.hub), sys.executable, "-m", "tests.media.lab_server",
                       "--port", str(PORT)]
            if self.start_bitrate_kbps is not None:
                command += ["--start-bitrate", str(self.start_bitrate_kbps)]
            env = dict(os.environ, PYTHONUNBUFFERED="1")
            self._server = await asyncio.create_subprocess_exec(*command, cwd=REPO, env=env,
                                                                stdout=asyncio.subprocess.PIPE)
            assert self._server.stdout is not None
            line = (await asyncio.wait_for(self._server.stdout.readline(), 60)).decode()
            if "READY" not in line:
                raise RuntimeError(f"the lab server did not start: {line!r}")
            self._playwright = await async_playwright().start()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _start_janus(self) -> None:
        config = self.workdir / "janus"
        if config.exists():
            shutil.rmtree(config)
        shutil.copytree("/etc/janus", config)  # it logs errors for unconfigured demo plugins and carries on
        command = [*self.net.exec_prefix(self.net.hub), "janus", "-F", str(config), "-L",
                   str(self.workdir / "janus.log"), "-N"]
        self._janus = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL,
                                                           stderr=asyncio.subprocess.DEVNULL)

    async def open(self, name: str, *, up_kbps: int | None = None, down_kbps: int | None = None,
                   delay_ms: int = 0) -> Any:
        client = self.net.add_client(name)
        self.net.shape(name, up_kbps=up_kbps, down_kbps=down_kbps, delay_ms=delay_ms)
        launcher = self.net.chromium_in(name, self.workdir)
        browser = await self._playwright.chromium.launch(
            executable_path=str(launcher), headless=True,
            args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={self.clip}",
                  f"--unsafely-treat-insecure-origin-as-secure=http://{client.hub_address}:{PORT}"])
        self._browsers.append(browser)
        page = await browser.new_page()
        page.on("console", lambda message: logger.debug("%s console: %s", name, message.text))
        await page.goto(f"http://{client.hub_address}:{PORT}/")
        self.pages[name] = page
        return page

    async def relay_stats(self) -> dict[str, Any]:
        page = next(iter(self.pages.values()))
        result: dict[str, Any] = await page.evaluate("fetch('/relay/stats').then(r => r.json())")
        return result

    async def sample_for(self, seconds: float, samplers: dict[str, Sampler],
                         each: Any = None) -> None:
        """Sample every page once a second for ``seconds`` (``each(second)`` after every round)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        second = 0
        while loop.time() - start < seconds:
            second += 1
            for name, sampler in samplers.items():
                sampler.add(await self.pages[name].evaluate("lab.sample()"))
            if each is not None:
                await each(second)
            await asyncio.sleep(max(0.0, start + second - loop.time()))

    async def __aexit__(self, *exc: object) -> None:
        for browser in self._browsers:
            try:
                await asyncio.wait_for(browser.close(), 20)
            except Exception:  # a browser that hung must not keep the namespaces alive
                logger.warning("a lab browser did not close cleanly", exc_info=True)
        self._browsers.clear()
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None
        for process in (self._server, self._janus):
            if process is not None and process.returncode is None:
                process.terminate()
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        self.net.close()
