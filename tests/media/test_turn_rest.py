"""Per-person TURN credentials (coturn use-auth-secret): the rule, and the settings that feed it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.config import load_config
from core.errors import ConfigError
from media.ice import IceServer
from media.turn import TurnIssuer, password_for

SECRET = "court-turn-secret-4f1c9a2e7b"
NOW = datetime.fromtimestamp(1_700_000_000 - 3600, UTC)


def test_the_password_is_coturns_hmac_sha1_of_the_username() -> None:
    # printf '%s' 1700000000:42 | openssl dgst -binary -sha1 -hmac "$SECRET" | base64
    assert password_for(SECRET, "1700000000:42") == "4ToVTA/+mHr01V4NSY3yDsY6P+g="


def test_a_credential_names_its_person_and_expires_ttl_after_now() -> None:
    issuer = TurnIssuer("turn:turn.court.kz:3478?transport=udp", SECRET, 3600)
    server = issuer.credential("42", NOW)
    assert (server.url, server.username, server.credential) == (
        "turn:turn.court.kz:3478?transport=udp", "1700000000:42", "4ToVTA/+mHr01V4NSY3yDsY6P+g=")
    assert issuer.credential("43", NOW).credential != server.credential


def test_a_browser_configuration_carries_the_stun_server_and_the_policy() -> None:
    issuer = TurnIssuer("turn:turn.court.kz:3478", SECRET, 600, stun=IceServer("stun:stun.court.kz:3478"),
                        relay_only=True)
    config = issuer.config_for("7", NOW).browser_configuration()
    assert config["ice_transport_policy"] == "relay"
    assert [s["urls"] for s in config["ice_servers"]] == [["stun:stun.court.kz:3478"], ["turn:turn.court.kz:3478"]]
    assert SECRET not in repr(config)


@pytest.mark.parametrize(("url", "secret", "ttl", "named"), [
    ("stun:turn.court.kz", SECRET, 600, "turn_url"),
    ("turn:court:pw@turn.court.kz", SECRET, 600, "turn_url"),
    ("turn:turn.court.kz", "short", 600, "turn_secret"),
    ("turn:turn.court.kz", SECRET, 10, "turn_ttl_s"),
    ("turn:turn.court.kz", SECRET, 7 * 86_400, "turn_ttl_s"),
])
def test_an_issuer_refuses_settings_that_would_leak_or_never_expire(url: str, secret: str, ttl: int,
                                                                    named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        TurnIssuer(url, secret, ttl)


@pytest.mark.parametrize("user", ["", "1:2"])
def test_a_user_id_that_would_forge_the_username_format_is_refused(user: str) -> None:
    with pytest.raises(ValueError):
        TurnIssuer("turn:turn.court.kz", SECRET).credential(user, NOW)


def test_the_settings_are_read_from_the_environment_and_checked_together() -> None:
    config = load_config(environ={"SOTKAB_TURN_URL": "turn:turn.court.kz:3478", "SOTKAB_TURN_SECRET": SECRET,
                                  "SOTKAB_TURN_TTL_S": "900", "SOTKAB_ICE_RELAY_ONLY": "true"})
    assert (config.turn_ttl_s, config.ice_relay_only) == (900, True)
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_TURN_SECRET": "short", "SOTKAB_TURN_TTL_S": "5",
                             "SOTKAB_ICE_SERVERS": "turn:court:pw@turn.court.kz"})
    text = caught.value.message
    for problem in ("turn_url and turn_secret", "SOTKAB_ICE_SERVERS=turn:court:pw@turn.court.kz: no static TURN",
                    "SOTKAB_TURN_SECRET=***: must be", "SOTKAB_TURN_TTL_S=5:"):
        assert problem in text
    assert "=short" not in text, "the TURN secret was echoed"
    with pytest.raises(ConfigError, match="SOTKAB_ICE_RELAY_ONLY=true: needs a TURN server"):
        load_config(environ={"SOTKAB_ICE_RELAY_ONLY": "true"})
