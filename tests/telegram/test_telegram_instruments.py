"""The resolution and the Budapest Convention in the chat: /compare, the "Budapest: Article N"
button, buttons for the articles a quote refers to, and the instruments in /about."""

from __future__ import annotations

import re

import pytest
from botapi_standin import StoredMessage
from telegram.constants import InlineKeyboardButtonLimit
from telegram_harness import Harness

from bot.search.retriever import Retriever
from bot.telegram import i18n

BUDAPEST_URL = "https://rm.coe.int/1680081561"


def button_texts(message: StoredMessage) -> list[str]:
    return [b["text"] for b in message.buttons()]


def assert_buttons_fit(message: StoredMessage) -> None:
    for button in message.buttons():
        assert len(button["callback_data"].encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


async def test_compare_shows_both_articles_and_our_note_outside_any_quote(
    telegram: Harness, budapest_retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    exchange = await chat.send("/compare 7")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    note = budapest_retriever.concordance.entry(7).note
    assert "Art. 7(1) · Illegal access" in reply.text
    assert "Budapest Convention · Article 2 · Illegal access" in reply.text
    assert f"<i>Note (ours, not treaty text): {note}</i>" in reply.html
    for quote in re.findall(r"<blockquote>(.*?)</blockquote>", reply.html, re.S):
        assert "Note (ours" not in quote and note not in quote
    assert f'<a href="{BUDAPEST_URL}">' in reply.html
    assert "Council of Europe Convention on Cybercrime (ETS No. 185)" in reply.text
    assert_buttons_fit(reply)
    pressed = await chat.press(reply, "Budapest: Article 2")
    pressed.assert_all_accepted()
    article = budapest_retriever.budapest.article(2)
    assert pressed.only_message.text.startswith("Budapest Convention · Article 2 · Illegal access")
    assert article.paragraphs[0].text in pressed.only_message.text


async def test_compare_an_article_without_counterpart_and_bad_arguments(
    telegram: Harness, budapest_retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send("/compare 1")).only_message
    assert "Note (ours, not treaty text): No counterpart:" in reply.text
    assert "Budapest Convention ·" not in reply.text
    usage = (await chat.send("/compare")).only_message
    assert usage.text == i18n.text("compare_usage", "en")
    missing = (await chat.send("/compare 99")).only_message
    assert "There is no article 99" in missing.text


async def test_compare_without_the_budapest_text_says_how_to_add_it(
    telegram: Harness, retriever: Retriever
) -> None:
    reply = (await telegram.private_chat().send("/compare 7")).only_message
    if "budapest" in retriever.documents:
        assert "Budapest Convention · Article 2" in reply.text
    else:
        assert reply.text == i18n.text("scope_not-loaded", "en")
        assert "BUDAPEST_SOURCE" in reply.text


async def test_an_answer_offers_the_budapest_counterpart(
    telegram: Harness, budapest_retriever: Retriever
) -> None:
    reply = (await telegram.private_chat().send("What does article 7 say?")).only_message
    assert "Budapest: Article 2" in button_texts(reply)
    assert_buttons_fit(reply)


async def test_buttons_lead_to_the_articles_a_quote_refers_to(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send("article 26")).only_message  # "... article 25 of this Convention"
    assert "→ Article 25" in button_texts(reply)
    assert_buttons_fit(reply)
    pressed = await chat.press(reply, "→ Article 25")
    pressed.assert_all_accepted()
    assert pressed.only_message.text.startswith("Article 25 · ")


async def test_a_resolution_paragraph_is_cited_as_the_resolution_s(
    telegram: Harness, retriever: Retriever
) -> None:
    if "resolution" not in retriever.documents:
        pytest.skip("TREATY_SOURCE is a text file: the resolution is read from the PDF only")
    reply = (await telegram.private_chat().send("operative paragraph 12")).only_message
    assert reply.text.startswith("A/RES/79/243 · Operative paragraph 12")
    assert "International Anti-Cybercrime Day" in reply.html
    assert "#page=3" in reply.html


async def test_about_names_every_instrument_with_its_checksum(
    telegram: Harness, retriever: Retriever
) -> None:
    reply = (await telegram.private_chat().send("/about")).only_message
    assert "Documents in this index" in reply.text
    for instrument in retriever.instruments:
        assert f"{instrument['title']} ({instrument['symbol']})" in reply.text
        assert f"<code>{instrument['sha256']}</code>" in reply.html
