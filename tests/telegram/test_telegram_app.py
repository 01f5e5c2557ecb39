"""Start-up of `treaty-bot`: settings checks, webhook wiring, index loading; and the small
parsers the handlers rely on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.index.store import IndexNotReady
from bot.search.retriever import Retriever
from bot.settings import Settings, get_settings
from bot.telegram.app import (
    ALLOWED_UPDATES,
    file_base_url,
    main,
    settings_problems,
    webhook_parameters,
)
from bot.telegram.updates import without_mention
from bot.treaty.references import Reference, parse_article_arguments


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """A clean environment: no .env file, no Telegram settings inherited from the shell."""
    monkeypatch.chdir(tmp_path)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("base_url", "file_url"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/file/bot"),
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        (
            "https://api.telegram.org/bot{token}/test",
            "https://api.telegram.org/file/bot{token}/test",
        ),
    ],
)
def test_file_url_sits_beside_the_api_url(base_url: str, file_url: str) -> None:
    assert file_base_url(base_url) == file_url


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


def test_settings_without_a_token_are_refused_with_how_to_fix_it() -> None:
    (problem,) = settings_problems(settings())
    assert problem.startswith("TELEGRAM_BOT_TOKEN is not set")
    assert "@BotFather" in problem


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        (None, "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode"),
        ("has spaces", "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -"),
        ("x" * 257, "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -"),
    ],
)
def test_webhook_mode_requires_a_valid_secret(secret: str | None, problem: str) -> None:
    values = {"telegram_bot_token": "1:x", "telegram_webhook_url": "https://bot.example.org/h"}
    problems = settings_problems(settings(**values, telegram_webhook_secret=secret))
    assert [p[: len(problem)] for p in problems] == [problem]


def test_complete_settings_have_no_problems() -> None:
    assert settings_problems(settings(telegram_bot_token="1:x")) == []
    webhook = settings(
        telegram_bot_token="1:x",
        telegram_webhook_url="https://bot.example.org/h",
        telegram_webhook_secret="Abc_123-x",
    )
    assert settings_problems(webhook) == []


def test_webhook_serves_the_public_path_locally_with_the_secret() -> None:
    configured = settings(
        telegram_bot_token="1:x",
        telegram_webhook_url="https://bot.example.org/treaty/hook?x=1",
        telegram_webhook_listen="0.0.0.0",
        telegram_webhook_port=8443,
        telegram_webhook_secret="Abc_123-x",
    )
    assert webhook_parameters(configured) == {
        "listen": "0.0.0.0",
        "port": 8443,
        "url_path": "treaty/hook",
        "webhook_url": "https://bot.example.org/treaty/hook?x=1",
        "secret_token": "Abc_123-x",
        "allowed_updates": ALLOWED_UPDATES,
    }


def test_main_without_a_token_exits_with_the_problem() -> None:
    with pytest.raises(SystemExit) as exited:
        main()
    assert isinstance(exited.value.code, str)  # printed to stderr, exit status 1
    assert exited.value.code.startswith("TELEGRAM_BOT_TOKEN is not set")


def test_main_without_an_index_exits_with_how_to_build_it(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment.setenv("TELEGRAM_BOT_TOKEN", "123:not-used")
    environment.setenv("INDEX_DIR", str(tmp_path / "no-index"))
    with pytest.raises(IndexNotReady) as refused:
        Retriever.load(Settings(_env_file=None, index_dir=tmp_path / "no-index"))
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == str(refused.value)
    assert str(tmp_path / "no-index") in exited.value.code
    assert "treaty-build-index" in exited.value.code


@pytest.mark.parametrize(
    ("arguments", "reference"),
    [
        (["7"], (7, None)),
        (["40", "21"], (40, "21")),
        (["40(21)"], (40, "21")),
        (["40", "(21)"], (40, "21")),
        (["040", "021"], (40, "21")),
        ([], None),
        (["banana"], None),
        (["40", "21", "3"], None),
        (["-1"], None),
        (["40", "b"], None),
    ],
)
def test_article_arguments(arguments: list[str], reference: tuple | None) -> None:
    expected = Reference(*reference) if reference else None
    assert parse_article_arguments(arguments) == expected


def test_the_mention_is_taken_out_of_a_question() -> None:
    assert without_mention("@TreatyBot  what is\nillegal access?", "TreatyBot") == (
        "what is illegal access?"
    )
    assert without_mention("Dear @treatybot, define data", "TreatyBot") == "Dear , define data"
    assert without_mention("ask @TreatyBotFan", "TreatyBot") == "ask @TreatyBotFan"


def test_edited_messages_are_asked_for() -> None:
    """Issue 15: an edited question was ignored; Telegram sends edits only when asked to."""
    assert "edited_message" in ALLOWED_UPDATES
