"""The translated copy: complete in all six languages, same placeholders and commands as the
English, valid Telegram HTML within Telegram's limits; texts.py fills it and holds no copy of it.
"""

from __future__ import annotations

import re
import string
from html import escape
from html.parser import HTMLParser

import pytest

from bot.search.language import detect_language
from bot.search.results import ArticleResult
from bot.telegram import keyboards, texts
from bot.telegram.formatting import MESSAGE_LIMIT, number_range, page_heading, visible_length
from bot.telegram.i18n import (
    BUTTON_KEYS,
    CATALOG,
    COMMAND_DESCRIPTIONS,
    LANGUAGES,
    PLAIN_TEXT_KEYS,
    example_questions,
    language_of,
    text,
)
from bot.treaty.model import Article, Chapter, Paragraph, Part

REQUIRED_KEYS = {
    "start",
    "help",
    "no_match",
    "not_text",
    "something_went_wrong",
    "unknown_command",
    "article_usage",
    "expired",
    "button_expired",
    "no_more_results",
    "browse_hint",
    "slow_down",
    "busy",
    "empty_mention",
    "already_shown",
    "no_such_article",
    "no_such_paragraph",
    "no_numbered_paragraphs",
    "button_full_text",
    "button_more",
    "button_previous",
    "page_heading",
    "results_heading",
    "button_all_chapters",
    "chapter_one_article",
    "chapter_articles",
    "source_line",
    "official_text",
}
ENGLISH_KEYS = sorted(CATALOG["en"])
TRANSLATIONS = [lang for lang in LANGUAGES if lang != "en"]
COMMANDS = ("start", "help", "article", "toc", "about", "compare")
TELEGRAM_TAGS = {"b", "i", "u", "s", "a", "code", "pre", "blockquote", "tg-spoiler"}
BUTTON_LABEL_LIMIT = 40
# Words that are the same in English and in a translation.
SAME_AS_ENGLISH = {
    ("fr", "about_document"), ("fr", "button_refers_to"),
    ("fr", "chapter_one_article"), ("fr", "chapter_articles"),
}

SAMPLE_VALUES = {
    "username": "treaty_bot",
    "article": 40,
    "number": 69,
    "articles": number_range(1, 68),
    "paragraph": "99",
    "paragraphs": number_range(1, 33),
    "title": "United Nations Convention against Cybercrime",
    "symbol": "A/RES/79/243",
    "results": number_range(4, 6),
    "provision": "Art. 40(21)",
    "sub": "c",
    "adopted": "2024-12-24",
    "question": "Can a State refuse mutual legal assistance?",
    "instrument": "the EU General Data Protection Regulation (GDPR)",
    "holdings": "the United Nations Convention against Cybercrime (A/RES/79/243)",
}
# Buttons get the longest numbers.
KEY_VALUES = {
    "button_full_text": {"article": 68},
    "button_paragraph": {"provision": "Art. 40(21)(c)"},
    "button_chapter": {"number": "VIII"},
}


def sample_values(key: str, lang: str) -> dict[str, object]:
    examples = "\n".join(f"• {escape(q)}" for q in example_questions(lang))
    return {**SAMPLE_VALUES, "examples": examples, **KEY_VALUES.get(key, {})}


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def commands_in(template: str) -> list[str]:
    """The /commands a text names; not the slashes of "A/RES/79/243" or of a URL."""
    return sorted(re.findall(r"(?<![\w/:.@<])/([a-z_]+)\b", template))


class TelegramHtml(HTMLParser):
    """Collects what Telegram's HTML parse mode would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"unsupported tag <{tag}>")
        if tag == "a" and not dict(attrs).get("href"):
            self.problems.append("<a> without href")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            self.problems.append(f"unknown entity &{name};")

    def handle_data(self, data: str) -> None:
        for character in "<>&":
            if character in data:
                self.problems.append(f"bare {character!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def telegram_html_problems(html: str) -> list[str]:
    parser = TelegramHtml()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"unclosed <{tag}>" for tag in parser.open]


# --- The catalog is complete and consistent ------------------------------------------------


def test_english_has_every_required_key() -> None:
    assert set(CATALOG["en"]) >= REQUIRED_KEYS
    assert set(BUTTON_KEYS) <= set(PLAIN_TEXT_KEYS) <= set(CATALOG["en"])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_exists_in_every_language(lang: str) -> None:
    assert set(CATALOG) == set(LANGUAGES)
    assert set(CATALOG[lang]) == set(CATALOG["en"])


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("key", ENGLISH_KEYS)
def test_placeholders_are_those_of_the_english(lang: str, key: str) -> None:
    assert placeholders(CATALOG[lang][key]) == placeholders(CATALOG["en"][key])


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("key", ENGLISH_KEYS)
def test_commands_stay_untranslated(lang: str, key: str) -> None:
    assert commands_in(CATALOG[lang][key]) == commands_in(CATALOG["en"][key])
    assert set(commands_in(CATALOG[lang][key])) <= set(COMMANDS)


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("key", ENGLISH_KEYS)
def test_every_text_is_translated(lang: str, key: str) -> None:
    if (lang, key) not in SAME_AS_ENGLISH:
        assert CATALOG[lang][key] != CATALOG["en"][key]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_names_the_buttons_as_they_are_labelled(lang: str) -> None:
    """Help says which buttons to tap; their names must be the ones on the buttons."""
    named = re.findall(r"<i>(.+?)</i>", text("help", lang, username="treaty_bot"))
    full_text = text("button_full_text", lang, article=7)
    more = text("button_more", lang)
    assert len(named) == 2
    assert named[0] in full_text
    assert named[1] == more


# --- Telegram accepts every text -----------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", ENGLISH_KEYS)
def test_every_text_is_telegram_html_within_the_limit(lang: str, key: str) -> None:
    message = text(key, lang, **sample_values(key, lang))
    assert message.strip()
    assert telegram_html_problems(message) == []
    assert visible_length(message) <= MESSAGE_LIMIT


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", PLAIN_TEXT_KEYS)
def test_plain_texts_hold_no_markup(lang: str, key: str) -> None:
    """Safe to put in a `Block`, which escapes its text."""
    assert not set("<>&") & set(text(key, lang, **sample_values(key, lang)))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", BUTTON_KEYS)
def test_button_labels_are_short(lang: str, key: str) -> None:
    label = text(key, lang, **sample_values(key, lang))
    assert "\n" not in label
    assert len(label) <= BUTTON_LABEL_LIMIT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_source_line_is_short_and_names_the_document(lang: str) -> None:
    """The line under every quote (its official link is added by the formatting)."""
    line = text("source_line", lang, symbol="A/RES/79/243")
    assert "\n" not in line
    assert "A/RES/79/243" in line
    assert len(line) + len(text("official_text", lang)) <= 87  # with " · ": 90


def test_french_punctuation_is_not_separated_by_a_line_break() -> None:
    french = [*CATALOG["fr"].values(), *example_questions("fr")]
    french += [description for _, description in COMMAND_DESCRIPTIONS["fr"]]
    for entry in french:
        assert not re.search(r" [:;?!»]|« ", entry), entry


# --- Choosing the language, and falling back to English ------------------------------------


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("es", "es"),
        ("es-419", "es"),
        ("ru", "ru"),
        ("zh", "zh"),
        ("zh-hans", "zh"),
        ("zh-TW", "zh"),
        ("zh_CN", "zh"),
        ("ar", "ar"),
        ("AR", "ar"),
        ("pt", "en"),
        ("pt-br", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_language_of(code: str | None, language: str) -> None:
    assert language_of(code) == language


def test_unknown_language_falls_back_to_english() -> None:
    assert text("not_text", "pt") == text("not_text", "en")
    assert text("already_shown", "de", article=7) == "Article 7 is already shown above."
    assert example_questions("pt") == example_questions("en")


def test_a_raw_telegram_code_is_understood() -> None:
    assert text("not_text", "fr-CA") == text("not_text", "fr")


def test_a_key_missing_in_a_language_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(CATALOG["fr"], "not_text")
    assert text("not_text", "fr") == text("not_text", "en")


def test_a_key_unknown_in_english_is_an_error() -> None:
    with pytest.raises(KeyError):
        text("no_such_key", "fr")


# --- Example questions and the command menu ------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_example_questions_are_questions_in_that_language(lang: str) -> None:
    questions = example_questions(lang)
    assert len(questions) == len(set(questions)) == 3
    for question in questions:
        assert question.endswith(("?", "？", "؟"))
        assert detect_language(question) == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_command_descriptions(lang: str) -> None:
    assert set(COMMAND_DESCRIPTIONS) == set(LANGUAGES)
    menu = COMMAND_DESCRIPTIONS[lang]
    assert tuple(command for command, _ in menu) == COMMANDS
    for _, description in menu:
        assert 3 <= len(description) <= 256
    if lang != "en":
        assert all(
            description != english
            for (_, description), (_, english) in zip(menu, COMMAND_DESCRIPTIONS["en"], strict=True)
        )


# --- texts.py fills the catalog's templates and holds no copy of its own ---------------------


def test_texts_holds_no_copy_of_the_catalog() -> None:
    """The user-facing copy lives in the catalog only; texts.py keeps the profile and admin
    texts, and fills templates that take values."""
    english = set(CATALOG["en"].values()) | set(example_questions("en"))
    constants = {
        name: value for name, value in vars(texts).items() if isinstance(value, str | tuple)
    }
    assert not english & {v for v in constants.values() if isinstance(v, str)}
    for removed in ("START", "NO_MATCH", "EXAMPLE_QUESTIONS", "COMMANDS", "SLOW_DOWN"):
        assert not hasattr(texts, removed)


def test_texts_fill_the_english_templates_as_before() -> None:
    """The English replies are word for word those of the single-language bot."""
    assert texts.start("en").startswith(
        "<b>Ask the United Nations Convention against Cybercrime</b>\n\n"
    )
    assert "\n• Which article makes illegal access to a computer system a crime?\n" in (
        texts.start("en")
    )
    assert texts.start("en").endswith("\n\n/help shows everything I can do.")
    assert "type @treaty_bot and a question" in texts.help_text("treaty_bot", "en")
    assert texts.help_text("a<b", "en").count("@a&lt;b ") == 1
    assert texts.empty_mention("treaty_bot", "en") == (
        "Ask your question after the mention, e.g. @treaty_bot what is illegal access?"
    )
    assert texts.already_shown(7, "en") == "Article 7 is already shown above."
    assert texts.no_such_article(69, 68, "en") == (
        "There is no article 69: the Convention has articles 1\N{EN DASH}68. "
        "/toc lists the articles."
    )
    assert texts.no_such_paragraph(numbered_article(40, 33), "99", "en") == (
        "Article 40 has no paragraph 99; its paragraphs are numbered 1\N{EN DASH}33."
    )
    assert texts.no_such_paragraph(numbered_article(1, 0), "2", "en") == (
        "Article 1 has no numbered paragraphs; /article 1 shows its full text."
    )
    question = "Can a State refuse mutual legal assistance?"
    assert page_heading(4, 6, question) == f"Results 4\N{EN DASH}6 for “{question}”"
    assert page_heading(4, 6, None) == "Results 4\N{EN DASH}6"  # the question forgotten


def numbered_article(number: int, paragraphs: int) -> Article:
    """An article with paragraphs 1..`paragraphs`, or one unnumbered paragraph when 0."""
    labels = [str(n) for n in range(1, paragraphs + 1)] or [None]
    return Article(
        number, "Title", "I", "Chapter",
        tuple(Paragraph(label, (Part("Text."),)) for label in labels),
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_texts_fill_every_language(lang: str) -> None:
    for question in example_questions(lang):
        assert escape(question) in texts.start(lang)
    assert texts.help_text("treaty_bot", lang) == text("help", lang, username="treaty_bot")
    assert texts.no_such_paragraph(numbered_article(40, 33), "<9>", lang) == text(
        "no_such_paragraph", lang, article=40, paragraph="&lt;9&gt;", paragraphs="1–33"
    )
    for message in (texts.start(lang), texts.no_such_article(69, 68, lang)):
        assert telegram_html_problems(message) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_button_labels_come_from_the_catalog(lang: str) -> None:
    def labels(markup) -> list[str]:
        return [button.text for row in markup.inline_keyboard for button in row]

    results = [
        ArticleResult("convention", 7, "Illegal access", "c", "1", "text", 1.0,
                      counterparts=(2,), refers_to=(25, 7)),
        ArticleResult("budapest", 16, "Expedited preservation", "c", "1", "text", 1.0),
    ]
    ranking = keyboards.Ranking((("convention", 7, "1", None), ("budapest", 16, "1", None)))
    assert labels(keyboards.answer_keyboard(results, ranking, 0, 6, lang)) == [
        text("button_full_text", lang, article=7),
        text("button_budapest", lang, article=2),
        text("button_budapest", lang, article=16),
        text("button_refers_to", lang, article=25),
        text("button_previous", lang),
        text("button_more", lang),
    ]
    article = Article(7, "Illegal access", "II", "Criminalization", ())
    chapter = Chapter("II", "Criminalization", (article,))
    assert labels(keyboards.chapter_keyboard(chapter, lang))[-1] == text(
        "button_all_chapters", lang
    )
    assert labels(keyboards.examples_keyboard(lang)) == list(example_questions(lang))


def test_every_subject_outside_the_text_has_its_reply_in_every_language() -> None:
    """The Telegram bot words each reason for declining in the user's language; the English
    copy is the catalogue's own reply, so the terminal, JSON and Telegram say the same."""
    from bot.search.scope import NOT_LOADED, OTHER_INSTRUMENT, Scope

    scope = Scope.load()
    replies = {s.id: s.reply for s in scope.subjects} | {
        OTHER_INSTRUMENT: scope.instrument_reply, NOT_LOADED: scope.not_loaded_reply
    }
    for subject, reply in replies.items():
        assert CATALOG["en"][f"scope_{subject}"] == reply, subject
        for lang in LANGUAGES:
            assert f"scope_{subject}" in CATALOG[lang], (lang, subject)
