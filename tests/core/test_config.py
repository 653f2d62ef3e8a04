"""Configuration: laptop defaults, TOML and environment layering, and every bad value named."""

from pathlib import Path

import pytest

from core.config import load_config
from core.errors import ConfigError


def test_defaults_run_on_a_laptop_with_sqlite_under_var() -> None:
    config = load_config(environ={})
    assert config.database_url == "sqlite+aiosqlite:///var/sotkab.db"
    assert (config.host, config.port) == ("127.0.0.1", 8080)
    assert config.public_url == "http://127.0.0.1:8080"
    assert config.data_dir == Path("var")
    assert config.builtin_ca is True and config.revocation_hard_fail is True


def test_environment_overrides_the_toml_file(tmp_path: Path) -> None:
    toml = tmp_path / "sotkab.toml"
    toml.write_text('port = 9000\nlog_level = "DEBUG"\nice_servers = ["stun:127.0.0.1:3478"]\n')
    config = load_config(toml, environ={"SOTKAB_PORT": "9100", "SOTKAB_BUILTIN_CA": "false"})
    assert config.port == 9100
    assert config.log_level == "DEBUG"
    assert config.builtin_ca is False
    assert config.ice_servers == ("stun:127.0.0.1:3478",)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_PORT": "eighty", "SOTKAB_COOKIE_SECURE": "maybe"})
    problems = caught.value.details["problems"]
    assert any(p.startswith("port:") for p in problems)
    assert any(p.startswith("cookie_secure:") for p in problems)


def test_values_that_parse_but_make_no_sense_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_DATABASE_URL": "mysql://x/y", "SOTKAB_PORT": "70000",
                             "SOTKAB_TRUST_ROOTS": "/nonexistent/root.pem",
                             "SOTKAB_ICE_SERVERS": "http://example"})
    text = caught.value.message
    for name in ("database_url", "port", "trust_roots", "ice_servers"):
        assert f"{name}:" in text


def test_a_broken_or_missing_toml_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("port = = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", environ={})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match="prot: unknown setting"):
        load_config(unknown, environ={})


def test_unrelated_sotkab_variables_are_ignored() -> None:
    config = load_config(environ={"SOTKAB_TEST_POSTGRES_URL": "x", "SOTKAB_KEY_PASSWORD": "secret"})
    assert config.port == 8080


def test_the_publishers_start_bitrate_is_configurable_within_sane_bounds() -> None:
    assert load_config(environ={}).start_bitrate_kbps == 1000
    assert load_config(environ={"SOTKAB_START_BITRATE_KBPS": "800"}).start_bitrate_kbps == 800
    for bad in ("50", "20000"):
        with pytest.raises(ConfigError, match="start_bitrate_kbps:"):
            load_config(environ={"SOTKAB_START_BITRATE_KBPS": bad})
    with pytest.raises(ConfigError, match="start_bitrate_kbps:"):
        load_config(environ={"SOTKAB_START_BITRATE_KBPS": "fast"})
