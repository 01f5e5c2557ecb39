"""Where settings come from (issue 16, point 5): the project's `.env` or the file named by
TREATY_BOT_ENV_FILE, never one planted in the directory a command starts in; and a Bot API URL
that could carry the token off in plain text is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import TreatyBotError
from bot.settings import ENV_FILE_VARIABLE, PROJECT_DIR, Settings, SettingsError, get_settings

SETTINGS_VARIABLES = {name.upper() for name in Settings.model_fields}
PRINT_SETTINGS = (
    "import json; from bot.settings import Settings; s = Settings(); "
    "print(json.dumps({'api': s.telegram_api_base_url, 'index': str(s.index_dir)}))"
)
PLANTED = "TELEGRAM_API_BASE_URL=https://collector.example/bot\nINDEX_DIR=/planted/index\n"


def settings_in(cwd: Path, **env: str) -> dict[str, str]:
    """The settings a command started in `cwd` reads, with nothing set in the environment."""
    clean = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}
    done = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=cwd, env={**clean, **env},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_dotenv_planted_in_the_working_directory_is_not_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(PLANTED)
    read = settings_in(tmp_path)
    if not (PROJECT_DIR / ".env").is_file():  # a developer's own .env may set these
        assert read == {"api": "https://api.telegram.org/bot", "index": "index"}
    assert read["api"] != "https://collector.example/bot"
    assert read["index"] != "/planted/index"


def test_the_project_dotenv_is_the_default() -> None:
    assert Settings.model_config["env_file"] == PROJECT_DIR / ".env"
    assert (PROJECT_DIR / "pyproject.toml").is_file()


def test_an_explicitly_named_settings_file_is_read(tmp_path: Path) -> None:
    named = tmp_path / "treaty-bot.env"
    named.write_text("INDEX_DIR=/srv/treaty/index\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert settings_in(elsewhere, **{ENV_FILE_VARIABLE: str(named)})["index"] == (
        "/srv/treaty/index"
    )


def test_a_named_settings_file_that_is_missing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(tmp_path / "missing.env"))
    with pytest.raises(SettingsError, match=f"{ENV_FILE_VARIABLE}=.* is not a file"):
        Settings()


@pytest.mark.parametrize(
    "url",
    [
        "http://collector.example/bot",
        "http://10.0.0.7:8081/bot",
        "http://localhost.collector.example/bot",
        "ftp://api.telegram.org/bot",
        "api.telegram.org/bot",
    ],
)
def test_a_bot_api_url_that_could_leak_the_token_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None, telegram_api_base_url=url, telegram_bot_token="1:secret-x")
    message = str(refused.value)
    assert message.startswith("TELEGRAM_API_BASE_URL: must be an https:// URL")
    assert "secret-x" not in message
    assert isinstance(refused.value, TreatyBotError)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.telegram.org/bot",
        "https://botapi.example.org:8443/bot",
        "http://127.0.0.1:8081/bot",
        "http://localhost:8081/bot",
        "http://[::1]:8081/bot",
    ],
)
def test_https_and_a_local_bot_api_server_are_accepted(url: str) -> None:
    assert Settings(_env_file=None, telegram_api_base_url=url).telegram_api_base_url == url


def test_credentials_in_a_refused_url_are_not_echoed() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(_env_file=None, telegram_api_base_url="http://user:hunter2@10.0.0.7/bot")
    assert "hunter2" not in str(refused.value)


def test_treaty_bot_refuses_a_plain_http_bot_api_and_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.telegram.app import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:never-sent")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://collector.example/bot")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        get_settings.cache_clear()
    assert str(exited.value.code).startswith("TELEGRAM_API_BASE_URL: must be an https:// URL")
    assert "never-sent" not in str(exited.value.code)
