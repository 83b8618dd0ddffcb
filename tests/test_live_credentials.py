"""The mock takes no live credentials, and its banner never shows a secret in full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.cli import banner
from mockserver.settings import DEFAULT_SECRET, ConfigError
from tests.test_cli import running_mock, settings

LIVE_ID = "project-live-4a8f1c2e-0000-4000-8000-000000000000"
LIVE_SECRET = "secret-live-Zq3xVbN8mK2pL7wRt5yUe1oI9aSdFgHj"


def test_a_live_id_from_the_environment_is_refused(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STYTCH_PROJECT_ID", LIVE_ID)
    monkeypatch.setenv("STYTCH_SECRET", LIVE_SECRET)

    with pytest.raises(ConfigError) as exc:
        settings()

    message = str(exc.value)
    assert message.startswith("STYTCH_PROJECT_ID (from environment) is a live project's id")
    assert "test projects only" in message
    assert LIVE_SECRET not in message


def test_a_live_id_from_dotenv_is_refused(clean_env: Path) -> None:
    (clean_env / ".env").write_text(
        f"STYTCH_PROJECT_ID={LIVE_ID}\nSTYTCH_SECRET={LIVE_SECRET}\n", encoding="utf-8"
    )

    with pytest.raises(ConfigError, match=r"STYTCH_PROJECT_ID \(from .*\.env\) is a live"):
        settings()


def test_a_live_id_on_the_command_line_is_refused(clean_env: Path) -> None:
    with pytest.raises(ConfigError, match="--project-id is a live project's id"):
        settings("--project-id", LIVE_ID, "--secret", LIVE_SECRET)


@pytest.mark.slow  # a real process
def test_a_real_process_with_live_credentials_exits_with_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"STYTCH_PROJECT_ID={LIVE_ID}\nSTYTCH_SECRET={LIVE_SECRET}\n", encoding="utf-8"
    )
    with running_mock(tmp_path) as (proc, out):
        code = proc.wait(timeout=30)
        err = proc.stderr.read().decode()

    assert code == 2
    assert "is a live project's id" in err and "Traceback" not in err
    assert LIVE_SECRET not in err + out


def test_the_banner_shows_a_secret_by_its_first_characters_only(clean_env: Path) -> None:
    secret = "secret-test-my-own-Zq3xVbN8mK2pL7wRt5yU"
    shown = banner(settings("--secret", secret), "http://127.0.0.1:8080/")

    assert secret not in shown
    assert secret[4:] not in shown
    assert re.search(r"secret\s+secr…\(39 characters\)", shown), shown


def test_the_banner_shows_the_documented_default_secret(clean_env: Path) -> None:
    assert DEFAULT_SECRET in banner(settings(), "http://127.0.0.1:8080/")
