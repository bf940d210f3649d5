import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nurture.clock import AcceleratedClock, SystemClock
from nurture.errors import ConfigError
from nurture.settings import load_settings, require_shared_clock


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings of the machine running the tests must not leak into them."""
    for name in list(os.environ):
        if name.upper().startswith("NURTURE_") or name.upper() == "SENDGRID_API_KEY":
            monkeypatch.delenv(name)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/nurture.db"
    assert settings.broker_url is None
    assert settings.email_backend == "outbox"
    assert settings.outbox_dir == Path("var/outbox")
    assert settings.sendgrid_api_key is None
    assert settings.workspace == Path(".")
    assert settings.templates == Path("templates")
    assert settings.base_url == "http://localhost:8000"
    assert settings.clock_start is None
    assert settings.clock_speed == 1.0
    assert isinstance(settings.clock, SystemClock)


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_DATABASE_URL", "postgresql+psycopg://postgres@db/nurture")
    monkeypatch.setenv("NURTURE_BROKER_URL", "redis://cache:6379/0")
    monkeypatch.setenv("NURTURE_EMAIL_BACKEND", "sendgrid")
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.key")
    monkeypatch.setenv("NURTURE_OUTBOX_DIR", "/srv/outbox")
    monkeypatch.setenv("NURTURE_WORKSPACE", "/srv/acme")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://postgres@db/nurture"
    assert str(settings.broker_url) == "redis://cache:6379/0"
    assert settings.email_backend == "sendgrid"
    assert settings.sendgrid_api_key == "SG.key"
    assert settings.outbox_dir == Path("/srv/outbox")
    assert settings.workspace == Path("/srv/acme")
    assert settings.templates == Path("/srv/acme/templates")


def test_amqp_broker_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_BROKER_URL", "amqp://guest:guest@mq:5672/")
    assert load_settings().broker_url is not None


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_DATABASE_URL", "sqlite:///env.db")
    assert load_settings(database_url="sqlite:///given.db").database_url == "sqlite:///given.db"


def test_clock_settings_make_an_accelerated_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_CLOCK_START", "2026-03-02T08:00:00")
    monkeypatch.setenv("NURTURE_CLOCK_SPEED", "86400")
    monkeypatch.setenv("NURTURE_CLOCK_EPOCH", "1000000")
    monkeypatch.setattr("time.time", lambda: 1_000_002.0)
    clock = load_settings().clock
    assert isinstance(clock, AcceleratedClock)
    assert clock.now() == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert clock.now() - datetime(2026, 3, 2, 8, 0, tzinfo=UTC) == timedelta(days=2)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("NURTURE_CLOCK_SPEED", "fast", "Input should be a valid number"),
        ("NURTURE_CLOCK_SPEED", "0", "Input should be greater than 0"),
        ("NURTURE_CLOCK_SPEED", "-2", "Input should be greater than 0"),
        ("NURTURE_CLOCK_START", "yesterday", "Input should be a valid datetime"),
        ("NURTURE_DATABASE_URL", "mysql://db/nurture", "use a sqlite:/// or postgresql"),
        ("NURTURE_BROKER_URL", "http://cache:6379", "use a redis:// or amqp:// URL"),
        ("NURTURE_BROKER_URL", "cache:6379", "use a redis:// or amqp:// URL"),
        ("NURTURE_BROKER_URL", "not a url", "Input should be a valid URL"),
        ("NURTURE_EMAIL_BACKEND", "smtp", "Input should be 'outbox' or 'sendgrid'"),
    ],
)
def test_bad_value_is_a_one_line_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(f"bad configuration: {name}={value!r}: ")
    assert reason in message
    assert "\n" not in message


def test_every_bad_variable_is_named_on_the_same_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_CLOCK_SPEED", "fast")
    monkeypatch.setenv("NURTURE_DATABASE_URL", "mysql://db/nurture")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "NURTURE_DATABASE_URL='mysql://db/nurture'" in message
    assert "; NURTURE_CLOCK_SPEED='fast'" in message
    assert "\n" not in message


def test_value_with_a_newline_stays_on_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NURTURE_DATABASE_URL", "mysql://db\nnurture")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "NURTURE_DATABASE_URL='mysql://db\\nnurture'" in message
    assert "\n" not in message


CLI = [sys.executable, "-c", "from nurture.cli import main; main()"]


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NURTURE_") and key not in ("COLUMNS", "LINES")
    }
    return subprocess.run(
        [*CLI, *args],
        env=clean | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_bad_setting_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "tick", NURTURE_CLOCK_SPEED="fast")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: bad configuration: NURTURE_CLOCK_SPEED='fast': ")
    assert lines[0].endswith("unable to parse string as a number")


def test_cli_bad_setting_exits_2_without_traceback(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "tick", NURTURE_DATABASE_URL="mysql://db")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: bad configuration: NURTURE_DATABASE_URL='mysql://db'")
    assert not (tmp_path / "var").exists()


def test_an_accelerated_clock_needs_a_shared_epoch_across_processes() -> None:
    with pytest.raises(ConfigError, match="NURTURE_CLOCK_EPOCH"):
        require_shared_clock(load_settings(clock_start="2026-03-02T08:00:00Z"))
    require_shared_clock(load_settings(clock_start="2026-03-02T08:00:00Z", clock_epoch=1e9))
    require_shared_clock(load_settings())  # the real clock needs nothing shared
