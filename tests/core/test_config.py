"""Configuration: laptop defaults, TOML and environment layering, and every bad value named."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert "SOTKAB_PORT=eighty: not a port number" in problems
    assert "SOTKAB_COOKIE_SECURE=maybe: not a boolean (true or false)" in problems


def test_values_that_parse_but_make_no_sense_are_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_DATABASE_URL": "mysql://x/y", "SOTKAB_PORT": "70000",
                             "SOTKAB_TRUST_ROOTS": "/nonexistent/root.pem",
                             "SOTKAB_ICE_SERVERS": "http://example"})
    text = caught.value.message
    for name in ("SOTKAB_DATABASE_URL=***:", "SOTKAB_PORT=70000:", "SOTKAB_TRUST_ROOTS=/nonexistent/root.pem:",
                 "SOTKAB_ICE_SERVERS=http://example:"):
        assert name in text


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


def test_the_variables_of_single_commands_and_the_tests_are_not_settings_and_are_let_through() -> None:
    config = load_config(environ={"SOTKAB_TEST_POSTGRES_URL": "x", "SOTKAB_KEY_PASSWORD": "secret"})
    assert config.port == 8080


def test_the_publishers_start_bitrate_is_configurable_within_sane_bounds() -> None:
    assert load_config(environ={}).start_bitrate_kbps == 1000
    assert load_config(environ={"SOTKAB_START_BITRATE_KBPS": "800"}).start_bitrate_kbps == 800
    for bad in ("50", "20000"):
        with pytest.raises(ConfigError, match=f"SOTKAB_START_BITRATE_KBPS={bad}:"):
            load_config(environ={"SOTKAB_START_BITRATE_KBPS": bad})
    with pytest.raises(ConfigError, match="SOTKAB_START_BITRATE_KBPS=fast: not a whole number"):
        load_config(environ={"SOTKAB_START_BITRATE_KBPS": "fast"})


def test_a_bad_setting_names_the_variable_as_the_operator_typed_it() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_PORT": "abc"})
    assert caught.value.details["problems"] == ["SOTKAB_PORT=abc: not a port number"]
    with pytest.raises(ConfigError, match=r"SOTKAB_NOTIFY_POLL_S=soon: not a number"):
        load_config(environ={"SOTKAB_NOTIFY_POLL_S": "soon"})
    with pytest.raises(ConfigError, match=r"SOTKAB_LOG_FORMAT=xml: 'xml' is not one of text, json"):
        load_config(environ={"SOTKAB_LOG_FORMAT": "xml"})


def test_a_toml_value_is_named_with_its_file(tmp_path: Path) -> None:
    toml = tmp_path / "sotkab.toml"
    toml.write_text("port = 0\n")
    with pytest.raises(ConfigError, match=f"port in {toml}: 0 is not a TCP port"):
        load_config(toml, environ={})


def test_secrets_are_never_echoed_in_a_configuration_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_DATABASE_URL": "mysql://court:hunter2@db/sotkab"})
    assert "hunter2" not in caught.value.message
    assert "SOTKAB_DATABASE_URL=***: scheme 'mysql' is not supported" in caught.value.message


def test_an_unknown_sotkab_variable_is_refused_with_the_nearest_setting() -> None:
    """A typo in a security setting must not leave the default in force: the server refuses to start."""
    with pytest.raises(ConfigError) as caught:
        load_config(environ={"SOTKAB_BUILTN_CA": "false", "SOTKAB_PORT": "8080"})
    assert caught.value.details["problems"] == [
        "SOTKAB_BUILTN_CA: unknown setting (no such SOTKAB_ variable); did you mean SOTKAB_BUILTIN_CA?"]
    with pytest.raises(ConfigError, match=r"SOTKAB_port: unknown setting.*did you mean SOTKAB_PORT"):
        load_config(environ={"SOTKAB_port": "8080"})
    with pytest.raises(ConfigError, match=r"SOTKAB_ZZZ: unknown setting \(no such SOTKAB_ variable\)$"):
        load_config(environ={"SOTKAB_ZZZ": "1"})
    assert load_config(environ={"SOTKABX": "1", "OTHER_PORT": "x"}).port == 8080


@settings(deadline=None)  # a shared machine: never a wall-clock bound
@given(st.text(max_size=30))
def test_any_port_text_is_a_port_or_an_error_naming_the_variable(text: str) -> None:
    """Whatever an operator types, the parser answers with a port or a ConfigError, never a traceback."""
    try:
        config = load_config(environ={"SOTKAB_PORT": text})
    except ConfigError as exc:
        assert all(p.startswith("SOTKAB_PORT=") for p in exc.details["problems"])
        assert len(exc.details["problems"]) == 1
    else:
        assert config.port == int(text.strip()) and 0 < config.port < 65536


@settings(deadline=None)  # a shared machine: never a wall-clock bound
@given(st.integers(min_value=1, max_value=65535), st.sampled_from(["", " ", "\t"]))
def test_every_valid_port_is_read_back(port: int, pad: str) -> None:
    assert load_config(environ={"SOTKAB_PORT": f"{pad}{port}{pad}"}).port == port


@settings(deadline=None)  # a shared machine: never a wall-clock bound
@given(st.sampled_from(["SOTKAB_NOTIFY_POLL_S", "SOTKAB_SESSION_TTL_S", "SOTKAB_COOKIE_SECURE",
                        "SOTKAB_RATE_LIMIT_GLOBAL", "SOTKAB_LOG_FORMAT", "SOTKAB_TRUSTED_PROXIES",
                        "SOTKAB_ICE_SERVERS", "SOTKAB_RECORDING_RETENTION"]),
       st.text(max_size=20))
def test_any_text_in_any_setting_is_accepted_or_refused_by_name(name: str, text: str) -> None:
    try:
        load_config(environ={name: text})
    except ConfigError as exc:
        assert exc.details["problems"] and all(p.startswith(f"{name}=") for p in exc.details["problems"])


@settings(deadline=None)  # a shared machine: never a wall-clock bound
@given(st.from_regex(r"SOTKAB_[A-Za-z_]{1,20}", fullmatch=True))
def test_any_sotkab_variable_is_a_setting_or_refused(name: str) -> None:
    try:
        load_config(environ={name: "1"})
    except ConfigError as exc:
        assert all(p.startswith(f"{name}") for p in exc.details["problems"])
