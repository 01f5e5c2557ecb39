"""The bot's own words in the six UN languages, chosen by the user's Telegram language.

The copy is data, one file per language beside this module (`locales/<lang>.toml`: the texts,
the /start examples and the command menu), read once here. Users meet the bot in their own
language when it is Arabic, Chinese, English, French, Russian or Spanish, and in English
otherwise. Only the bot's own words are translated: the treaty text it quotes is always the
English authentic text, which `source_line` says in each language.

Every text is a `str.format` template. Placeholders are filled with values the caller has
already HTML-escaped; the templates hold no markup characters except deliberate tags, and
`/commands` are never translated because Telegram only knows them in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bot.datafiles import read_toml

LOCALES_DIR = Path(__file__).with_name("locales")

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
DEFAULT_LANGUAGE = "en"

# Keys whose texts are inline-keyboard button labels, which should stay short.
BUTTON_KEYS = (
    "button_full_text",
    "inline_start",
    "button_paragraph",
    "button_previous_article",
    "button_next_article",
    "button_chapter",
    "button_more",
    "button_previous",
    "button_all_chapters",
    "button_budapest",
    "button_refers_to",
)
# Keys whose texts hold no markup at all, so they also fit where `formatting.Block` escapes its
# text (the caller then passes unescaped values): labels, headings and notes in messages.
PLAIN_TEXT_KEYS = (
    *BUTTON_KEYS,
    "source_line",
    "official_text",
    "page_heading",
    "results_end",
    "results_heading",
    "toc_title",
    "toc_hint",
    "chapter_one_article",
    "chapter_articles",
    "broad_chapter",
    "about_title",
    "about_intro",
    "about_document",
    "about_holds",
    "about_verify_title",
    "about_verify",
    "about_build",
    "about_checksum",
    "about_checksum_text",
    "about_unverified",
    "about_built",
    "about_model",
    "related_heading",
    "note_ours",
    "budapest_footer",
    "about_instruments",
    *(f"scope_{subject}" for subject in (
        "status", "history", "statistics", "national-law", "products", "news", "opinion",
        "other", "other-instrument", "not-loaded",
    )),
)


def language_of(code: str | None) -> str:
    """The UN language of a Telegram `language_code` ("fr-CA" → "fr"), English for any other."""
    primary = re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def _french_spacing(text: str) -> str:
    """French typography: no line break may separate a word from ":", ";", "?", "!" or « »."""
    for plain, spaced in (
        (" :", "\N{NO-BREAK SPACE}:"),
        (" ;", "\N{NARROW NO-BREAK SPACE};"),
        (" ?", "\N{NARROW NO-BREAK SPACE}?"),
        (" !", "\N{NARROW NO-BREAK SPACE}!"),
        ("« ", "«\N{NO-BREAK SPACE}"),
        (" »", "\N{NO-BREAK SPACE}»"),
    ):
        text = text.replace(plain, spaced)
    return text


def _load(lang: str) -> dict:
    data = read_toml(LOCALES_DIR / f"{lang}.toml")
    typeset: Callable[[str], str] = _french_spacing if lang == "fr" else str
    return {
        "texts": {key: typeset(value) for key, value in data["texts"].items()},
        "examples": tuple(typeset(question) for question in data["examples"]),
        "commands": tuple((name, typeset(about)) for name, about in data["commands"].items()),
    }


_LOCALES = {lang: _load(lang) for lang in LANGUAGES}
CATALOG: dict[str, dict[str, str]] = {lang: data["texts"] for lang, data in _LOCALES.items()}
# For setMyCommands with language_code; Telegram allows 1–256 characters per description.
COMMAND_DESCRIPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    lang: data["commands"] for lang, data in _LOCALES.items()
}


def text(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` with its placeholders filled, falling back to English.

    `lang` may be one of LANGUAGES or a raw Telegram language_code. `values` must already be
    HTML-escaped. A key unknown even in English raises KeyError.
    """
    template = CATALOG[language_of(lang)].get(key)
    if template is None:
        template = CATALOG[DEFAULT_LANGUAGE][key]
    return template.format(**values)


def example_questions(lang: str) -> tuple[str, ...]:
    """The example questions offered by /start, in `lang` (English if unknown)."""
    return _LOCALES[language_of(lang)]["examples"]
