"""Configuration: one typed, frozen object, validated before anything starts.

Values come from, in rising precedence: defaults that run on a laptop, an optional TOML file
(``--config``), and ``SOTKAB_*`` environment variables. Every bad value is reported at once,
each with the setting's name and what was wrong, so a misconfigured deployment fails at
start-up instead of at the first request that touches the setting.
"""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
import socket
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core.errors import ConfigError

ENV_PREFIX = "SOTKAB_"
#: ``SOTKAB_*`` variables that are not settings: read by one command or by the tests, never by the server.
OTHER_VARIABLES = frozenset({"SOTKAB_KEY_PASSWORD", "SOTKAB_TEST_POSTGRES_URL"})
LOG_FORMATS = ("text", "json")
#: Payment providers this build has. The sandbox moves no money: see payment_provider's checks.
PAYMENT_PROVIDERS = ("sandbox", "none")


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("var")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""
    log_level: str = "INFO"
    log_format: str = "text"  # "json": one JSON object a line, with the request id and the worker
    access_log: bool = True
    metrics_token: str = ""
    redis_url: str = ""
    builtin_ca: bool = True
    trust_roots: tuple[Path, ...] = ()
    revocation_hard_fail: bool = True
    revocation_timeout_s: float = 5.0
    revocation_good_ttl_s: float = 60.0  # an OCSP/CRL "good" is served from cache at most this long
    session_ttl_s: int = 8 * 3600
    nonce_ttl_s: int = 300
    cookie_secure: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    smtp_host: str = ""
    smtp_port: int = 25
    mail_from: str = "no-reply@sotkab.invalid"
    notify_poll_s: float = 5.0
    hearing_reconnect_grace_s: float = 30.0  # a dropped hearing participant keeps their place this long
    socket_recheck_s: float = 10.0  # open sockets whose session or staff grant is gone end within this long
    ice_servers: tuple[str, ...] = ()
    turn_url: str = ""  # the court's coturn (use-auth-secret); browsers get per-person credentials for it
    turn_secret: str = ""  # coturn's static-auth-secret; never sent to a browser
    turn_ttl_s: int = 3600  # how long an issued TURN credential lasts (60-86400 s)
    ice_relay_only: bool = False  # browsers gather relay candidates only (all media through TURN)
    start_bitrate_kbps: int = 1000  # where publishers' browsers start their estimate (bench/bwe.py)
    system_key_file: Path | None = None  # the court's SIGN key (.p12) for receipts; else the built-in CA issues one
    system_key_password: str = ""
    payment_provider: str = ""  # "sandbox" or "none"; empty: the sandbox with the built-in CA, else none
    payment_sandbox: bool = False  # allow the sandbox without the built-in CA (a staging server)
    rate_limit_per_client: int = 120  # unauthenticated requests per client address per window; 0: off
    rate_limit_global: int = 3000  # unauthenticated requests of all clients together per window; 0: off
    rate_limit_window_s: int = 60
    audit_checkpoint_interval_s: float = 3600.0  # sign the audit head this often (when it moved); 0: off
    trusted_proxies: tuple[str, ...] = ()  # addresses/CIDRs whose Forwarded / X-Forwarded-* headers are believed
    trusted_networks: tuple[IPv4Network | IPv6Network, ...] = field(init=False, default=(), compare=False)
    recording_retention_days: int = 5 * 365  # how long a hearing recording is kept, unless its category says
    recording_retention: tuple[str, ...] = ()  # per case category, "CATEGORY=DAYS" (e.g. "03=3650")
    ncalayer_url: str = "wss://127.0.0.1:13579"  # where the login and signing pages look for NCALayer; "" = never
    recording_compose_in_process: bool = True  # the app composes sealed recordings (else `sotkab recordings worker`)
    workers: int = 0  # `sotkab serve` processes on consecutive ports; 0: one per core with redis_url, else one
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.database_url:
            object.__setattr__(
                self, "database_url", f"sqlite+aiosqlite:///{(self.data_dir / 'sotkab.db').as_posix()}"
            )
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        if not self.payment_provider:
            object.__setattr__(self, "payment_provider", "sandbox" if self.builtin_ca else "none")
        if self.payment_provider not in PAYMENT_PROVIDERS:
            problems.append(f"payment_provider: {self.payment_provider!r} is not one of {', '.join(PAYMENT_PROVIDERS)}")
        elif self.payment_provider == "sandbox" and not (self.builtin_ca or self.payment_sandbox):
            problems.append("payment_provider: the sandbox lets anyone mark a fee paid, so a production "
                            "configuration (builtin_ca=false) refuses it; set payment_sandbox=true only on a "
                            "staging server, or payment_provider=none")
        try:
            object.__setattr__(self, "trusted_networks", tuple(
                ipaddress.ip_network(item.strip(), strict=False) for item in self.trusted_proxies))
        except ValueError as exc:
            problems.append(f"trusted_proxies: {exc}")
        scheme = self.database_url.split(":", 1)[0]
        if scheme not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            problems.append(
                f"database_url: scheme {scheme!r} is not supported; use sqlite+aiosqlite:///PATH "
                "or postgresql+asyncpg://USER@HOST/DB"
            )
        if not 0 < self.port < 65536:
            problems.append(f"port: {self.port} is not a TCP port (1-65535)")
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"public_url: {self.public_url!r} is not an absolute http(s) URL")
        if self.redis_url and urlsplit(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            problems.append(f"redis_url: {self.redis_url!r} is not a redis:// URL")
        if not 1 <= self.recording_retention_days <= 100 * 365:
            problems.append(f"recording_retention_days: {self.recording_retention_days} is not 1 to 36500 days")
        for entry in self.recording_retention:
            category, _, days = entry.partition("=")
            if not category.strip() or not days.strip().isdigit() or not 1 <= int(days) <= 100 * 365:
                problems.append(f"recording_retention: {entry!r} is not CATEGORY=DAYS (1 to 36500 days)")
        if self.log_format not in LOG_FORMATS:
            problems.append(f"log_format: {self.log_format!r} is not one of {', '.join(LOG_FORMATS)}")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            problems.append(f"log_level: {self.log_level!r} is not one of DEBUG, INFO, WARNING, ERROR")
        for name in ("rate_limit_per_client", "rate_limit_global"):
            if getattr(self, name) < 0:
                problems.append(f"{name}: must be 0 (off) or positive, got {getattr(self, name)}")
        if self.audit_checkpoint_interval_s < 0:
            problems.append(f"audit_checkpoint_interval_s: must be 0 (off) or positive, "
                            f"got {self.audit_checkpoint_interval_s}")
        if not 0 < self.rate_limit_window_s <= 3600:
            problems.append(f"rate_limit_window_s: must be in (0, 3600] seconds, got {self.rate_limit_window_s}")
        for name in ("session_ttl_s", "nonce_ttl_s", "max_upload_bytes"):
            if getattr(self, name) <= 0:
                problems.append(f"{name}: must be positive, got {getattr(self, name)}")
        if self.revocation_timeout_s <= 0:
            problems.append(f"revocation_timeout_s: must be positive, got {self.revocation_timeout_s}")
        if not 0 <= self.revocation_good_ttl_s <= 3600:
            problems.append(f"revocation_good_ttl_s: must be in [0, 3600] seconds, got {self.revocation_good_ttl_s}")
        if not 0 < self.notify_poll_s <= 3600:
            problems.append(f"notify_poll_s: must be in (0, 3600] seconds, got {self.notify_poll_s}")
        if not 0 < self.hearing_reconnect_grace_s <= 600:
            problems.append(f"hearing_reconnect_grace_s: must be in (0, 600] s, got {self.hearing_reconnect_grace_s}")
        if not 0 < self.socket_recheck_s <= 600:
            problems.append(f"socket_recheck_s: must be in (0, 600] s, got {self.socket_recheck_s}")
        for root in self.trust_roots:
            if not root.is_file():
                problems.append(f"trust_roots: {root} is not a readable file")
        if not 100 <= self.start_bitrate_kbps <= 10_000:
            problems.append(f"start_bitrate_kbps: must be 100-10000 kbps, got {self.start_bitrate_kbps}")
        for server in self.ice_servers:
            if server.split(":", 1)[0] not in ("stun", "turn", "turns"):
                problems.append(f"ice_servers: {server!r} is not a stun:/turn:/turns: URL")
        if bool(self.turn_url) != bool(self.turn_secret):
            problems.append("turn_url and turn_secret: set both (coturn use-auth-secret) or neither")
        if self.turn_secret and any(s.startswith(("turn:", "turns:")) for s in self.ice_servers):
            problems.append("ice_servers: no static TURN password beside turn_secret (it would reach every browser)")
        if self.turn_secret and len(self.turn_secret) < 16:
            problems.append("turn_secret: must be at least 16 characters")
        if not 60 <= self.turn_ttl_s <= 86_400:
            problems.append(f"turn_ttl_s: must be 60-86400 s, got {self.turn_ttl_s}")
        if self.ice_relay_only and not (self.turn_url or any(s.startswith("turn") for s in self.ice_servers)):
            problems.append("ice_relay_only: needs a TURN server (turn_url)")
        if self.ncalayer_url and not re.fullmatch(r"wss?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?", self.ncalayer_url):
            problems.append(f"ncalayer_url: {self.ncalayer_url!r} is not a ws:// or wss:// URL")
        if self.system_key_file is not None and not self.system_key_file.is_file():
            problems.append(f"system_key_file: {self.system_key_file} is not a readable file")
        if self.system_key_file is not None and not self.system_key_password:
            problems.append("system_key_password: required with system_key_file")
        if not 0 <= self.workers <= 256:
            problems.append(f"workers: must be 0 (one per core) to 256, got {self.workers}")
        elif self.workers > 1 and not self.redis_url:
            problems.append(f"workers: {self.workers} processes need redis_url (socket.io rooms and the "
                            "signaling bus span processes through Redis)")
        elif self.workers > 1 and self.port + self.workers - 1 > 65535:
            problems.append(f"workers: {self.workers} consecutive ports from {self.port} pass 65535")
        if problems:
            raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems),
                              details={"problems": problems})

    @property
    def worker_count(self) -> int:
        """How many server processes ``sotkab serve`` starts: ``workers``, or by default one per core
        when Redis joins them (rooms and the bus need it), else one."""
        if self.workers:
            return self.workers
        return max(1, os.cpu_count() or 1) if self.redis_url else 1

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def cookies_secure(self) -> bool:
        """Session cookies carry ``Secure`` when asked to, or whenever the public URL is https."""
        return self.cookie_secure or self.public_url.startswith("https://")

    @property
    def worker(self) -> str:
        """This process's name in logs and metrics: the host and the port it serves, unique in a cluster."""
        return f"{socket.gethostname()}:{self.port}"

    @property
    def pki_dir(self) -> Path:
        return self.data_dir / "pki"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean (true or false)")


def _parse_int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("not a whole number") from None


def _parse_port(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("not a port number") from None


def _parse_float(text: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise ValueError("not a number") from None


def _parse_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


_PARSERS: dict[str, Callable[[str], Any]] = {
    "data_dir": Path,
    "port": _parse_port,
    "builtin_ca": _parse_bool,
    "access_log": _parse_bool,
    "trust_roots": lambda text: tuple(Path(p) for p in _parse_list(text)),
    "revocation_hard_fail": _parse_bool,
    "revocation_timeout_s": _parse_float,
    "revocation_good_ttl_s": _parse_float,
    "session_ttl_s": _parse_int,
    "nonce_ttl_s": _parse_int,
    "cookie_secure": _parse_bool,
    "max_upload_bytes": _parse_int,
    "smtp_port": _parse_port,
    "notify_poll_s": _parse_float,
    "hearing_reconnect_grace_s": _parse_float,
    "socket_recheck_s": _parse_float,
    "ice_servers": _parse_list,
    "start_bitrate_kbps": _parse_int,
    "turn_ttl_s": _parse_int,
    "ice_relay_only": _parse_bool,
    "trusted_proxies": _parse_list,
    "system_key_file": Path,
    "payment_sandbox": _parse_bool,
    "rate_limit_per_client": _parse_int,
    "rate_limit_global": _parse_int,
    "rate_limit_window_s": _parse_int,
    "audit_checkpoint_interval_s": _parse_float,
    "recording_retention_days": _parse_int,
    "recording_retention": _parse_list,
    "recording_compose_in_process": _parse_bool,
    "workers": _parse_int,
}
#: Settings whose value is never echoed in an error message (it may be a password or carry one).
_SECRET = frozenset({"metrics_token", "system_key_password", "database_url", "redis_url", "turn_secret"})


def _coerce(name: str, value: Any) -> Any:
    """Turn a TOML or environment value into the field's type; raises ValueError with the reason."""
    if isinstance(value, str):
        parser = _PARSERS.get(name, str)
        return parser(value)
    if name in ("trust_roots",) and isinstance(value, list):
        return tuple(Path(str(p)) for p in value)
    if name == "trusted_proxies" and isinstance(value, list):
        return tuple(str(v) for v in value)
    if name in ("ice_servers", "recording_retention") and isinstance(value, list):
        return tuple(str(v) for v in value)
    if name == "system_key_file" and value is not None and not isinstance(value, Path):
        raise ValueError("must be a path string")
    if name == "data_dir" and not isinstance(value, Path):
        raise ValueError("must be a path string")
    if name in ("port", "session_ttl_s", "nonce_ttl_s", "max_upload_bytes", "smtp_port", "rate_limit_per_client",
                "rate_limit_global", "rate_limit_window_s", "recording_retention_days", "turn_ttl_s",
                "workers"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
    if name in ("builtin_ca", "revocation_hard_fail", "cookie_secure", "access_log", "payment_sandbox",
                "recording_compose_in_process", "ice_relay_only") and not isinstance(value, bool):
        raise ValueError(f"{value!r} is not a boolean")
    return value


def _shown(key: str, text: str) -> str:
    """A value as an error message may repeat it: secrets hidden, control characters escaped, long ones cut."""
    if key in _SECRET:
        return "***"
    shown = text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _unknown_variable(env_name: str, known: set[str]) -> str:
    """Refuse a ``SOTKAB_*`` variable that names no setting, suggesting the nearest one.

    Refused rather than warned about: a typo in a security setting (``SOTKAB_BUILTN_CA=false``)
    would otherwise leave the demo CA trusted on a production server with nothing but a log line
    to say so, and a configuration is read once, at start-up, when an operator is watching.
    """
    guess = difflib.get_close_matches(env_name[len(ENV_PREFIX):].lower(), sorted(known), n=1, cutoff=0.75)
    hint = f"; did you mean {ENV_PREFIX}{guess[0].upper()}?" if guess else ""
    return f"{env_name}: unknown setting (no such SOTKAB_ variable){hint}"


def load_config(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Config:
    """Build the configuration; collects every problem before raising :class:`ConfigError`.

    Each problem names the setting the way the operator wrote it: ``SOTKAB_PORT=abc: not a port
    number`` for a variable, ``port = ... in FILE`` for the TOML file, the field name for a value
    passed in code.
    """
    env = os.environ if environ is None else environ
    known = {f.name for f in fields(Config) if f.init} - {"extra"}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []
    extra: dict[str, Any] = {}

    if config_file is not None:
        try:
            with open(config_file, "rb") as fh:
                document = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"config file {config_file} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_file} is not valid TOML: {exc}") from None
        for key, value in document.items():
            if key in known:
                values[key] = value
                sources[key] = f"{key} in {config_file}"
            elif isinstance(value, dict):
                extra[key] = value
            else:
                problems.append(f"{key}: unknown setting in {config_file}")

    for env_name, text in sorted(env.items()):
        if not env_name.startswith(ENV_PREFIX) or env_name in OTHER_VARIABLES:
            continue
        key = env_name[len(ENV_PREFIX):].lower()
        if key in known and env_name == ENV_PREFIX + key.upper():
            values[key] = text
            sources[key] = f"{env_name}={_shown(key, text)}"
        else:
            problems.append(_unknown_variable(env_name, known))
    values.update(overrides)
    for key in overrides:
        sources.pop(key, None)

    coerced: dict[str, Any] = {}
    for key, value in values.items():
        try:
            coerced[key] = _coerce(key, value)
        except (ValueError, TypeError) as exc:
            problems.append(f"{sources.get(key, key)}: {exc}")
    if not problems:
        try:
            return Config(**coerced, extra=extra)
        except ConfigError as exc:
            problems = [_named(problem, sources) for problem in exc.details.get("problems", [exc.message])]
    raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems), details={"problems": problems})


def _named(problem: str, sources: Mapping[str, str]) -> str:
    """``port: ...`` from the checks of :class:`Config` becomes ``SOTKAB_PORT=70000: ...``."""
    key, sep, rest = problem.partition(": ")
    return f"{sources[key]}: {rest}" if sep and key in sources else problem
