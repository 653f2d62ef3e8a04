"""Private network namespaces joined by shaped veth links, for browser tests and bench/bwe.py.

A star: one hub namespace (the relay, Janus, the page server) and one namespace per browser,
each joined to the hub by its own veth pair (hub 10.77.K.1, client 10.77.K.2, the hub routes
between clients). A client's uplink is shaped on its own end of the pair, its downlink on the
hub's end, with ``tc`` (a tbf rate limit, under netem delay where the kernel has sch_netem).
Nothing touches the host's network: the namespaces are created and deleted here, with names
unique to this process.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


def unavailable_reason() -> str | None:
    """Why namespaces cannot be made here (None when they can)."""
    if os.geteuid() != 0:
        return "network namespaces need root (CI runs as root)"
    for tool in ("ip", "tc"):
        if shutil.which(tool) is None:
            return f"{tool} (iproute2) is not installed"
    probe = f"skprobe{uuid.uuid4().hex[:6]}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _run(*args: str) -> None:
    done = subprocess.run(list(args), capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: {done.stderr.strip()}")


@dataclass
class Client:
    name: str
    namespace: str
    index: int
    own_end: str  # the veth inside the client's namespace
    hub_end: str  # its peer inside the hub

    @property
    def address(self) -> str:
        return f"10.77.{self.index}.2"

    @property
    def hub_address(self) -> str:
        return f"10.77.{self.index}.1"


@dataclass
class NetLab:
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    hub: str = ""
    clients: dict[str, Client] = field(default_factory=dict)
    wrappers: Path | None = None

    def __post_init__(self) -> None:
        self.hub = f"sk{self.tag}hub"

    def __enter__(self) -> NetLab:
        _run("ip", "netns", "add", self.hub)
        _run("ip", "-n", self.hub, "link", "set", "lo", "up")
        _run("ip", "netns", "exec", self.hub, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_client(self, name: str) -> Client:
        index = len(self.clients) + 1
        namespace = f"sk{self.tag}c{index}"
        own, hub = f"skc{self.tag}{index}", f"skh{self.tag}{index}"
        _run("ip", "netns", "add", namespace)
        _run("ip", "-n", namespace, "link", "set", "lo", "up")
        _run("ip", "link", "add", own, "netns", namespace, "type", "veth", "peer", "name", hub, "netns", self.hub)
        _run("ip", "-n", namespace, "addr", "add", f"10.77.{index}.2/24", "dev", own)
        _run("ip", "-n", self.hub, "addr", "add", f"10.77.{index}.1/24", "dev", hub)
        _run("ip", "-n", namespace, "link", "set", own, "up")
        _run("ip", "-n", self.hub, "link", "set", hub, "up")
        _run("ip", "-n", namespace, "route", "add", "default", "via", f"10.77.{index}.1")
        client = Client(name, namespace, index, own, hub)
        self.clients[name] = client
        return client

    def shape(self, name: str, *, up_kbps: int | None = None, down_kbps: int | None = None,
              delay_ms: int = 0) -> None:
        """Limit a client's uplink/downlink with tbf (~100 ms of queue), behind netem delay if asked.

        Some kernels (this machine's among them) ship without sch_netem: a delay is then refused
        with RuntimeError rather than silently left out.
        """
        client = self.clients[name]
        for namespace, device, rate in ((client.namespace, client.own_end, up_kbps),
                                        (self.hub, client.hub_end, down_kbps)):
            tc = ["ip", "netns", "exec", namespace, "tc", "qdisc"]
            parent = ["root"]
            if delay_ms:
                _run(*tc, "replace", "dev", device, "root", "handle", "1:", "netem", "delay", f"{delay_ms}ms")
                parent = ["parent", "1:"]
            if rate is not None:
                burst = max(4000, rate * 1000 // 8 // 50)  # 20 ms of traffic, at least a few packets
                _run(*tc, "add", "dev", device, *parent, "handle", "2:", "tbf", "rate", f"{rate}kbit",
                     "burst", str(burst), "latency", "100ms")

    def exec_prefix(self, namespace: str) -> list[str]:
        return ["ip", "netns", "exec", namespace]

    def chromium_in(self, name: str, directory: Path, chromium: str = "/usr/bin/chromium") -> Path:
        """A launcher that starts Chromium inside the client's namespace (Playwright's executable_path)."""
        client = self.clients[name]
        path = directory / f"chromium-{client.namespace}"
        path.write_text(f"#!/bin/sh\nexec ip netns exec {client.namespace} {chromium} \"$@\"\n")
        path.chmod(0o755)
        return path

    def close(self) -> None:
        for client in self.clients.values():
            subprocess.run(["ip", "netns", "del", client.namespace], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.hub], capture_output=True)
        self.clients.clear()
