"""The bot in its users' languages, end to end: the bot's own words follow the user's Telegram
language when it is one of the six UN languages (English otherwise), while the treaty is quoted
in English with a note saying so.
"""

from __future__ import annotations

import re
from html import escape

import pytest
from botapi_standin import TEXT_LIMIT, BotApiStandIn, StoredMessage, utf16_length
from telegram.ext import Application
from telegram_harness import Chat, Harness, user_with

from bot.search.retriever import Retriever
from bot.telegram import i18n
from bot.telegram.formatting import official_text_url
from bot.telegram.handlers import RANKED_RESULTS
from bot.telegram.i18n import COMMAND_DESCRIPTIONS, example_questions, text
from bot.telegram.replies import PAGE_SIZE, relevant_results

UNRELATED = "What is the best recipe for banana bread?"
FRENCH_QUESTION = "Le piratage informatique est-il un crime selon la convention ?"


def shown(lang: str, key: str, **values: object) -> str:
    """A catalog text as the chat shows it (its tags gone)."""
    return re.sub(r"</?\w+>", "", text(key, lang, **values))


def cited_articles(message: StoredMessage) -> list[int]:
    return [int(n) for n in re.findall(r"^Art\. (\d+)\S* · ", message.text, re.M)]


def source_line(lang: str) -> str:
    """The line under every quote: verbatim, the English authentic text, the official text."""
    return f"{text('source_line', lang, symbol='A/RES/79/243')} · {text('official_text', lang)}"


def button_texts(message: StoredMessage) -> list[str]:
    return [b["text"] for b in message.buttons()]


def assert_answer_in(message: StoredMessage, lang: str, more: bool = True) -> None:
    """An answer page: English quotations, then the source line and buttons in `lang`, the
    line linking the official text in `lang`; "More results" when `more` results are
    relevant."""
    assert utf16_length(message.text) <= TEXT_LIMIT
    assert message.text.endswith(f"\n\n{source_line(lang)}")
    assert f'<a href="{escape(official_text_url(lang))}">' in message.html
    labels = button_texts(message)
    full_texts = {text("button_full_text", lang, article=n) for n in range(1, 69)}
    navigation = {text(key, lang, article=n) for key in ("button_budapest", "button_refers_to")
                  for n in range(1, 69)}
    assert [text("button_full_text", lang, article=n) for n in cited_articles(message)] == [
        label for label in labels if label in full_texts
    ]
    paragraph = text("button_paragraph", lang, provision="")
    in_full = {label for label in labels if label.startswith(paragraph)}
    assert len(in_full) <= 1, "at most the first result's paragraph in full"
    assert set(labels) - full_texts - navigation - in_full == (
        {text("button_more", lang)} if more else set()
    )


# --- Start-up ----------------------------------------------------------------------------------


async def test_the_command_menu_is_registered_once_per_language(
    bot_api: BotApiStandIn, running_bot: Application
) -> None:
    calls = [c for c in bot_api.calls if c.method == "setMyCommands" and c.ok]
    codes = sorted(c.params.get("language_code", "") for c in calls)
    assert codes == sorted(["", "fr", "es", "ru", "zh", "ar"])  # "": the default, English
    for call in calls:
        lang = call.params.get("language_code") or "en"
        menu = [(c["command"], c["description"]) for c in call.params["commands"]]
        assert menu == list(COMMAND_DESCRIPTIONS[lang])
    assert set(bot_api.my_commands) == set(codes)


# --- French ------------------------------------------------------------------------------------


async def test_start_in_french_offers_french_examples(telegram: Harness) -> None:
    exchange = await telegram.private_chat("fr").send("/start")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    assert reply.text.startswith("Interrogez la Convention des Nations Unies")
    for question in example_questions("fr"):
        assert f"• {question}" in reply.text
    assert button_texts(reply) == list(example_questions("fr"))


async def test_a_french_example_button_asks_the_french_question(telegram: Harness) -> None:
    chat = telegram.private_chat("fr")
    start = (await chat.send("/start")).only_message
    exchange = await chat.press(start, example_questions("fr")[0])
    exchange.assert_all_accepted()
    answer = exchange.only_message
    assert answer.text.startswith(f"“{example_questions('fr')[0]}”\n")
    assert 7 in cited_articles(answer)
    assert_answer_in(answer, "fr")


async def test_a_french_question_gets_article_7_with_the_french_note(telegram: Harness) -> None:
    exchange = await telegram.private_chat("fr").send(FRENCH_QUESTION)
    exchange.assert_all_accepted()
    answer = exchange.only_message
    assert 7 in cited_articles(answer)
    assert "Art. 7(1) · Illegal access\n" in answer.text
    assert_answer_in(answer, "fr")


async def test_no_match_in_french(telegram: Harness) -> None:
    exchange = await telegram.private_chat("fr").send(UNRELATED)
    exchange.assert_all_accepted()
    assert exchange.only_message.text == shown("fr", "no_match")


async def test_more_results_in_french(telegram: Harness) -> None:
    chat = telegram.private_chat("fr")
    first = (await chat.send(FRENCH_QUESTION)).only_message
    pressed = await chat.press(first, text("button_more", "fr"))
    pressed.assert_all_accepted()
    page = chat.message(first)
    assert page.text.startswith("Résultats 4")
    assert text("button_previous", "fr") in button_texts(page)
    assert page.text.endswith(source_line("fr"))


async def test_other_replies_in_french(telegram: Harness) -> None:
    chat = telegram.private_chat("fr")
    assert (await chat.send("/frobnicate")).only_message.text == shown("fr", "unknown_command")
    assert (await chat.send("/article banana")).only_message.text == shown("fr", "article_usage")
    missing = (await chat.send("/article 99")).only_message.text
    assert missing.startswith("Il n'y a pas d'article 99")
    toc = (await chat.send("/toc")).only_message
    assert toc.text.startswith(text("toc_title", "fr"))
    assert toc.text.endswith(source_line("fr"))
    assert "Chapter II Criminalization: articles 7\N{EN DASH}21" in toc.text
    assert button_texts(toc)[0] == "Chapter I · General provisions"  # the heading as printed
    (await chat.press(toc, "Chapter II · Criminalization")).assert_all_accepted()
    assert chat.message(toc).text.endswith(source_line("fr"))
    help_text = (await chat.send("/help")).only_message.text
    assert help_text.startswith("Comment utiliser ce bot")


async def test_an_inline_query_in_french_carries_the_note(telegram: Harness) -> None:
    exchange = await telegram.inline_query(FRENCH_QUESTION, language_code="fr")
    exchange.assert_all_accepted()
    results = exchange.of("answerInlineQuery")[0].params["results"]
    assert results
    for result in results:
        content = result["input_message_content"]["message_text"]
        link = escape(official_text_url("fr"))
        assert content.endswith(f'<a href="{link}">{text("official_text", "fr")}</a></i>')
        assert escape(text("source_line", "fr", symbol="A/RES/79/243"), quote=False) in content


async def test_an_example_is_asked_in_the_language_of_whoever_presses_it(
    telegram: Harness,
) -> None:
    """In a group, /start's buttons may be pressed by someone who reads another language."""
    french = telegram.group_chat()
    french.user = user_with("fr")
    start = (await french.send("/start")).only_message
    english = Chat(telegram, french.chat, user_with("en"))
    exchange = await english.press(start, example_questions("fr")[1])
    exchange.assert_all_accepted()
    answer = exchange.only_message
    assert answer.text.startswith(f"“{example_questions('en')[1]}”\n")
    assert_answer_in(answer, "en")


# --- Other languages, and the fallback to English -------------------------------------------------


async def test_latin_american_spanish_gets_spanish(telegram: Harness) -> None:
    chat = telegram.private_chat("es-419")
    start = (await chat.send("/start")).only_message
    assert start.text.startswith(shown("es", "start", examples="")[:40])
    assert button_texts(start) == list(example_questions("es"))
    assert (await chat.send(UNRELATED)).only_message.text == shown("es", "no_match")


@pytest.mark.parametrize("code", ["de", None])
async def test_other_or_missing_languages_get_english(telegram: Harness, code: str | None) -> None:
    chat = telegram.private_chat(code)
    start = (await chat.send("/start")).only_message
    assert start.text.startswith("Ask the United Nations Convention against Cybercrime")
    assert button_texts(start) == list(example_questions("en"))
    assert (await chat.send(UNRELATED)).only_message.text == i18n.text("no_match", "en")
    answer = (await chat.send("Which article criminalizes illegal access?")).only_message
    assert_answer_in(answer, "en")


@pytest.mark.parametrize("lang", ["ru", "zh", "ar"])
async def test_the_other_un_languages(telegram: Harness, retriever: Retriever, lang: str) -> None:
    chat = telegram.private_chat(lang)
    start = (await chat.send("/start")).only_message
    assert button_texts(start) == list(example_questions(lang))
    question = example_questions(lang)[0]
    exchange = await chat.press(start, question)
    exchange.assert_all_accepted()
    ranked = retriever.ask(question, RANKED_RESULTS)
    assert_answer_in(exchange.only_message, lang, more=len(relevant_results(ranked)) > PAGE_SIZE)
