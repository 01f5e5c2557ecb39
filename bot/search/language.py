"""Which of the six UN languages a question is written in.

Arabic, Chinese and Russian are told apart by their scripts; English, French and Spanish by
lingua (Apache-2.0, offline, loaded on first use). Anything else is treated as English.
"""

from __future__ import annotations

import re
import threading

UN_LANGUAGES = ("ar", "zh", "en", "fr", "es", "ru")
_SCRIPTS = (
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
)
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def detect_language(text: str) -> str:
    letters = _LETTERS.findall(text)
    if not letters:
        return "en"
    for code, script in _SCRIPTS:
        if len(script.findall(text)) * 2 >= len(letters):
            return code
    return _latin_language(text)


_detector_lock = threading.Lock()
_detector_instance = None


def _detector():
    """Built once, under a lock: concurrent first questions would each build their own."""
    global _detector_instance
    with _detector_lock:
        if _detector_instance is None:
            from lingua import Language, LanguageDetectorBuilder

            _detector_instance = LanguageDetectorBuilder.from_languages(
                Language.ENGLISH, Language.FRENCH, Language.SPANISH
            ).with_preloaded_language_models().build()
        return _detector_instance


def _latin_language(text: str) -> str:
    from lingua import Language

    found = _detector().detect_language_of(text)
    return {Language.FRENCH: "fr", Language.SPANISH: "es"}.get(found, "en")
