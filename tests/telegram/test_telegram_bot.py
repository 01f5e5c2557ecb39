"""The bot end to end: real updates in through getUpdates, real requests out over HTTP.

Each test plays a user in a chat of its own and checks what the bot sent back, as the
stand-in Bot API received it (and would have refused it, had Telegram refused it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from html import escape, unescape

import pytest
from botapi_standin import TEXT_LIMIT, BotApiStandIn, StoredMessage, utf16_length
from telegram.ext import Application
from telegram_harness import (
    BOT_USERNAME,
    OTHER_BOT,
    TOKEN,
    Exchange,
    Harness,
    pseudonym,
    sticker,
    user_with,
)

from bot.search.results import ArticleResult
from bot.search.retriever import Retriever
from bot.telegram import formatting, i18n, texts
from bot.telegram.replies import PAGE_SIZE, relevant_results
from bot.treaty.citations import short_citation_line
from bot.treaty.model import Treaty

EXAMPLES = i18n.example_questions("en")
OFFICIAL_URL = "https://documents.un.org/api/symbol/access?s=A/RES/79/243&l=en&t=pdf"
QUESTION = "Which article criminalizes hacking into a computer?"  # seven relevant results
UNRELATED = "What is the best recipe for banana bread?"
SOURCE_LINE = "Verbatim from A/RES/79/243 · official text"
ELLIPSIS = "…"
DASH = "\N{EN DASH}"


def citation(result: ArticleResult) -> str:
    """The short citation line of a result: "Art. 47(1)(c) · Law enforcement cooperation"."""
    return short_citation_line(result.article, result.title, result.paragraph, result.subparagraph)


def blockquotes(html: str, expandable: bool | None = None) -> list[str]:
    """The quoted texts, open or collapsed (None: both), without the markup inside them (treaty
    text is escaped, so a tag inside a quote can only be the bold answer or a citation)."""
    tag = {None: r"<blockquote(?: expandable)?>", False: "<blockquote>",
           True: "<blockquote expandable>"}[expandable]
    quotes = re.findall(rf"{tag}(.*?)</blockquote>", html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", q)) for q in quotes]


def button_texts(message: StoredMessage) -> list[str]:
    return [b["text"] for b in message.buttons()]


def answer_buttons(results: Sequence[ArticleResult]) -> list[str]:
    """The buttons under an answer page: per result its full text and its Budapest
    counterparts (at most two), then the articles its quotes refer to that the page does not
    show (at most three, in order)."""
    shown = {r.article for r in results}
    labels = []
    for result in results:
        labels.append(f"Full text: Article {result.article}")
        labels += [f"Budapest: Article {n}" for n in result.counterparts[:2]]
    named = dict.fromkeys(n for r in results for n in r.refers_to if n not in shown)
    return labels + [f"→ Article {n}" for n in list(named)[:3]]


def assert_quotes(quoted: str, full: str, source: str) -> None:
    """`quoted` is `full` verbatim, or its start cut at a word with "…", or (to keep the
    answering clause in view) a verbatim part of it from that clause on, after "…"; `full` is
    in `source`."""
    assert full in source, "the retrieved text is not verbatim treaty text"
    if quoted.startswith(ELLIPSIS):
        assert quoted.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS) in full
    elif quoted != full:
        assert quoted.endswith(ELLIPSIS), quoted[-80:]
        kept = quoted.removesuffix(ELLIPSIS)
        assert full.startswith(kept)
        assert full[len(kept)].isspace(), "cut inside a word"


def assert_answer_page(
    message: StoredMessage, results: Sequence[ArticleResult], treaty: Treaty
) -> None:
    """The best result open (short citation, lead-in, verbatim quote, its notes collapsed), the
    others collapsed in rank order, each under its short citation, then the source line."""
    shown, html = message.text, message.html
    first, *others = results
    article = treaty.article(first.article)
    assert article is not None
    assert f"{citation(first)}\n" in shown
    expected_open = [q for q in (first.lead_in, first.text) if q]
    opened = blockquotes(html, expandable=False)
    assert len(opened) == len(expected_open)
    for quoted, full in zip(opened, expected_open, strict=True):
        assert_quotes(quoted, full, article.text)
    assert shown.index(citation(first)) < shown.index(opened[0][:40].removeprefix(ELLIPSIS))
    collapsed = blockquotes(html, expandable=True)
    if first.notes:
        notes = collapsed.pop(0)
        for note in first.notes:
            assert f"Interpretative note {note.number} · {note.heading}" in notes
    assert len(collapsed) == len(others)
    for quoted, result in zip(collapsed, others, strict=True):
        assert quoted.startswith(f"{citation(result)}\n")
        body = quoted.removeprefix(f"{citation(result)}\n")
        if result.lead_in:
            lead = formatting.shorten(result.lead_in, formatting.LEAD_IN_PREVIEW // 2)
            assert body.startswith(f"{lead}\n")
            body = body.removeprefix(f"{lead}\n")
        source = treaty.article(result.article)
        assert source is not None
        assert_quotes(body, result.text, source.text)
    assert shown.endswith(SOURCE_LINE)


def shown_text(messages: Sequence[StoredMessage]) -> list[str]:
    return " ".join(m.text for m in messages).split()


async def ask(telegram: Harness, question: str = QUESTION) -> tuple[Exchange, StoredMessage]:
    chat = telegram.private_chat()
    exchange = await chat.send(question)
    exchange.assert_all_accepted()
    return exchange, exchange.only_message


# --- Start-up --------------------------------------------------------------------------------


async def test_start_up_registers_the_command_menu_and_descriptions(
    bot_api: BotApiStandIn, running_bot: Application
) -> None:
    calls = {c.method: c for c in bot_api.calls if c.ok}
    commands = [c["command"] for c in calls["setMyCommands"].params["commands"]]
    assert commands == ["start", "help", "article", "toc", "about", "compare"]
    assert calls["setMyDescription"].params["description"] == texts.DESCRIPTION
    assert "A/RES/79/243" in texts.DESCRIPTION
    assert calls["setMyShortDescription"].params["short_description"] == texts.SHORT_DESCRIPTION
    assert running_bot.bot.base_url == f"{bot_api.base_url}{TOKEN}"
    assert running_bot.bot.base_file_url == bot_api.base_url.replace("/bot", "/file/bot") + TOKEN


# --- Commands --------------------------------------------------------------------------------


async def test_start_says_what_the_bot_is_and_offers_three_examples(telegram: Harness) -> None:
    exchange = await telegram.private_chat().send("/start")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    assert reply.text.startswith("Ask the United Nations Convention against Cybercrime")
    assert "A/RES/79/243" in reply.text and "verbatim" in reply.text
    for question in EXAMPLES:
        assert f"• {question}" in reply.text
    assert button_texts(reply) == list(EXAMPLES)
    assert len(EXAMPLES) == 3
    assert "“the next one” mean the article of the answer you reply to" in reply.text


async def test_an_example_button_asks_that_question(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    start = (await chat.send("/start")).only_message
    exchange = await chat.press(start, EXAMPLES[0])
    exchange.assert_all_accepted()
    assert [c.method for c in exchange.calls] == [
        "answerCallbackQuery",
        "sendChatAction",
        "sendMessage",
    ]
    answer = exchange.only_message
    assert answer.text.startswith(f"“{EXAMPLES[0]}”\n")
    expected = retriever.ask(EXAMPLES[0], PAGE_SIZE + 1).results
    assert_answer_page(answer, expected[:PAGE_SIZE], retriever.treaty)


async def test_help_lists_the_commands_inline_mode_and_group_use(telegram: Harness) -> None:
    exchange = await telegram.private_chat().send("/help")
    exchange.assert_all_accepted()
    shown = exchange.only_message.text
    for command in ("/article 7", "/article 40 21", "/toc", "/about"):
        assert command in shown
    assert f"@{BOT_USERNAME}" in shown
    assert "In groups" in shown
    assert "Follow-ups: “paragraph 3”, “and (b)?” or “the next one”" in shown


async def test_about_names_the_document_checksum_build_time_and_model(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange = await telegram.private_chat().send("/about")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    manifest = retriever.manifest
    assert f"{retriever.treaty.title} (A/RES/79/243)" in reply.text
    assert f"<code>{manifest['source_sha256']}</code>" in reply.html
    assert len(manifest["source_sha256"]) == 64
    assert manifest["built_at"] in reply.text
    assert manifest["model"] in reply.text


async def test_article_command_quotes_the_whole_article(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange = await telegram.private_chat().send("/article 7")
    exchange.assert_all_accepted()
    article = retriever.treaty.article(7)
    assert article is not None
    reply = exchange.only_message
    assert reply.text.startswith("Article 7 · Illegal access · Chapter II Criminalization\n\n")
    for paragraph in article.paragraphs:
        assert f"{paragraph.label}. {paragraph.text}" in reply.text
    assert reply.text.endswith(SOURCE_LINE)


@pytest.mark.parametrize("arguments", ["40 21", "40(21)", "40 (21)"])
async def test_article_command_quotes_one_paragraph(
    telegram: Harness, retriever: Retriever, arguments: str
) -> None:
    exchange = await telegram.private_chat().send(f"/article {arguments}")
    exchange.assert_all_accepted()
    article = retriever.treaty.article(40)
    assert article is not None
    paragraph = article.paragraph("21")
    assert paragraph is not None
    reply = exchange.only_message
    assert reply.text.startswith(f"Art. 40(21) · {article.title}\n{paragraph.text}\n")
    assert blockquotes(reply.html) == [paragraph.text]
    assert reply.text.endswith(SOURCE_LINE)


async def test_article_command_puts_interpretative_notes_under_the_article(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange = await telegram.private_chat().send("/article 35")
    exchange.assert_all_accepted()
    notes = retriever.treaty.notes_for(35)
    assert [n.number for n in notes] == [4, 5]
    shown = " ".join(m.text for m in exchange.sent)
    article = retriever.treaty.article(35)
    assert article is not None
    last_paragraph = article.paragraphs[-1].text
    positions = [shown.index(last_paragraph)] + [shown.index(n.text) for n in notes]
    assert positions == sorted(positions), "the notes must follow the article's text"
    assert "Interpretative note 4 · Articles 23 and 35" in shown


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("/article 999", f"There is no article 999: the Convention has articles 1{DASH}68. "),
        ("/article 0", f"There is no article 0: the Convention has articles 1{DASH}68. "),
        ("/article banana", i18n.text("article_usage", "en")),
        ("/article", i18n.text("article_usage", "en")),
        ("/article 40 21 3", i18n.text("article_usage", "en")),
        (
            "/article 40 99",
            f"Article 40 has no paragraph 99; its paragraphs are numbered 1{DASH}32.",
        ),
        (
            "/article 2 1",
            "Article 2 has no numbered paragraphs; /article 2 shows its full text.",
        ),
    ],
)
async def test_article_command_explains_bad_arguments(
    telegram: Harness, command: str, reply: str
) -> None:
    exchange = await telegram.private_chat().send(command)
    exchange.assert_all_accepted()
    assert exchange.only_message.text.startswith(reply)
    assert exchange.only_message.buttons() == []


async def test_long_article_is_split_at_paragraphs_into_valid_messages_in_order(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange = await telegram.private_chat().send("/article 40")
    exchange.assert_all_accepted()  # every part was valid Telegram HTML within 4096
    parts = exchange.sent
    article = retriever.treaty.article(40)
    assert article is not None
    assert len(article.text.split()) > 2500
    assert len(parts) >= 4
    assert all(utf16_length(part.text) <= TEXT_LIMIT for part in parts)
    for part in parts[1:]:
        assert re.match(r"\d+\. ", part.text), "a part starts mid-paragraph"
    header = f"Article 40 · {article.title} · {article.chapter}"
    assert shown_text(parts) == f"{header}\n\n{article.text}\n\n{SOURCE_LINE}".split()
    reply_to = [c.params.get("reply_parameters") for c in exchange.of("sendMessage")]
    assert reply_to == [None] * len(parts)  # a private chat: no quoting


async def test_paragraph_longer_than_a_message_is_split_inside_it(
    telegram: Harness, retriever: Retriever
) -> None:
    article = retriever.treaty.article(2)
    assert article is not None
    paragraph_lengths = [utf16_length(p.text) for p in article.paragraphs]
    header = f"Article 2 · {article.title} · {article.chapter}"
    assert utf16_length(header) + 2 + max(paragraph_lengths) > TEXT_LIMIT
    exchange = await telegram.private_chat().send("/article 2")
    exchange.assert_all_accepted()
    parts = exchange.sent
    assert len(parts) >= 2
    assert parts[0].text.startswith(header)
    assert parts[0].text.rstrip().endswith((";", ".", ":"))
    notes = [
        f"Interpretative note {n.number} · {n.heading} {n.text}"
        for n in retriever.treaty.notes_for(2)
    ]
    expected = " ".join([header, article.text, *notes, SOURCE_LINE])
    assert shown_text(parts) == expected.split()


async def test_unknown_command_gets_a_short_pointer_to_help(telegram: Harness) -> None:
    exchange = await telegram.private_chat().send("/frobnicate now")
    exchange.assert_all_accepted()
    assert exchange.only_message.text == i18n.text("unknown_command", "en")


# --- Questions -------------------------------------------------------------------------------


async def test_question_is_answered_with_cited_verbatim_quotes_and_buttons(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange, reply = await ask(telegram)
    assert [c.method for c in exchange.calls] == ["sendChatAction", "sendMessage"]
    assert exchange.of("sendChatAction")[0].params["action"] == "typing"
    expected = retriever.ask(QUESTION, PAGE_SIZE + 1).results
    assert len(expected) == PAGE_SIZE + 1
    assert expected[0].article == 7  # Illegal access
    assert_answer_page(reply, expected[:PAGE_SIZE], retriever.treaty)
    assert button_texts(reply) == [*answer_buttons(expected[:PAGE_SIZE]), "More results"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in reply.buttons())
    assert exchange.of("sendMessage")[0].params["parse_mode"] == "HTML"


async def test_notes_appear_under_the_article_they_interpret(
    telegram: Harness, retriever: Retriever
) -> None:
    _, reply = await ask(telegram, "art. 17")
    expected = retriever.ask("art. 17", PAGE_SIZE + 1).results
    assert [r.article for r in expected] == [17]
    assert [n.number for n in expected[0].notes] == [3]
    assert_answer_page(reply, expected, retriever.treaty)
    assert button_texts(reply) == ["Paragraph in full: Art. 17(1)", *answer_buttons(expected)]


async def test_question_the_treaty_does_not_address_gets_an_honest_no(
    telegram: Harness, retriever: Retriever
) -> None:
    assert retriever.ask(UNRELATED).abstained
    _, reply = await ask(telegram, UNRELATED)
    assert reply.text == i18n.text("no_match", "en")
    assert reply.text.startswith("No provision of the Convention matches your question")
    assert "/toc" in reply.text
    assert reply.buttons() == []


async def test_the_answering_clause_is_bold_and_the_citation_opens_the_official_page(
    telegram: Harness, retriever: Retriever
) -> None:
    question = "Who pays the costs of executing a request for legal assistance?"
    first = retriever.ask(question, PAGE_SIZE + 1).results[0]
    assert (first.article, first.paragraph) == (40, "30") and first.highlight
    _, reply = await ask(telegram, question)
    start, end = first.highlight
    assert f"<b>{escape(first.text[start:end], quote=False)}</b>" in reply.html
    link = f"{OFFICIAL_URL}#page={first.pages[0]}"
    assert f'<b><a href="{escape(link)}">{escape(citation(first), quote=False)}</a></b>' in (
        reply.html
    )
    assert blockquotes(reply.html)[0] == first.text  # the bold changes no character


async def test_a_sub_paragraph_is_cited_as_such_after_its_lead_in(
    telegram: Harness, retriever: Retriever
) -> None:
    question = "what does service provider mean?"
    first = retriever.ask(question, PAGE_SIZE + 1).results[0]
    assert (first.article, first.subparagraph) == (2, "e")
    _, reply = await ask(telegram, question)
    assert reply.text.startswith(f"Art. 2(e) · Use of terms\n{first.lead_in}\n{first.text}")
    assert blockquotes(reply.html)[:2] == [first.lead_in, first.text]


async def test_a_status_question_gets_where_it_is_published_and_the_governing_articles(
    telegram: Harness, retriever: Retriever
) -> None:
    question = "Has Brazil ratified it?"
    answer = retriever.ask(question)
    assert answer.abstained and answer.reason == "status"
    _, reply = await ask(telegram, question)
    assert reply.text.startswith(i18n.text("scope_status", "en"))
    heading = i18n.text("related_heading", "en")
    assert heading in reply.text
    cited = re.findall(r"^Art\. (\d+)\S* · ", reply.text, re.M)
    assert cited == ["64", "65", "68"]
    assert reply.text.index(heading) < reply.text.index("Art. 64")
    assert reply.buttons() == []


async def test_the_decline_is_in_the_users_language(telegram: Harness) -> None:
    exchange = await telegram.private_chat("fr").send("La France a-t-elle ratifié la convention ?")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    assert reply.text.startswith(i18n.text("scope_status", "fr"))
    assert i18n.text("related_heading", "fr") in reply.text


async def test_another_instrument_is_never_looked_up_in_this_convention(
    telegram: Harness, retriever: Retriever
) -> None:
    question = "What does Article 5 of the Malabo Convention say?"
    assert retriever.ask(question).results == ()
    _, reply = await ask(telegram, question)
    assert "Malabo Convention" in reply.text
    assert "United Nations Convention against Cybercrime" in reply.text
    assert "Article 5 ·" not in reply.text and blockquotes(reply.html) == []


async def test_reference_to_a_missing_article_says_what_exists(
    telegram: Harness, retriever: Retriever
) -> None:
    answer = retriever.ask("article 99")
    assert answer.abstained and answer.error
    _, reply = await ask(telegram, "article 99")
    assert reply.text == answer.error + " " + i18n.text("browse_hint", "en")


async def test_reference_to_a_missing_paragraph_shows_the_article_under_the_notice(
    telegram: Harness, retriever: Retriever
) -> None:
    answer = retriever.ask("article 40 paragraph 99", PAGE_SIZE + 1)
    assert answer.error and [r.article for r in answer.results] == [40]
    _, reply = await ask(telegram, "article 40 paragraph 99")
    assert reply.text.startswith(answer.error + "\n")
    assert citation(answer.results[0]) in reply.text


REFERENCE_FORMS = ["article 40 21", "art 40 para 21", "40 21", "40.21", "Art. 40 § 21"]


@pytest.mark.parametrize("question", REFERENCE_FORMS)
async def test_every_way_of_naming_a_paragraph_gets_that_paragraph(
    telegram: Harness, retriever: Retriever, question: str
) -> None:
    """Issue 15: "article 40 21" (what /help teaches, without the slash) returned 40(1), and
    "40 21" found nothing."""
    article = retriever.treaty.article(40)
    assert article is not None
    paragraph = article.paragraph("21")
    assert paragraph is not None
    _, reply = await ask(telegram, question)
    assert reply.text.startswith(f"Art. 40(21) · {article.title}\n")
    assert blockquotes(reply.html, expandable=False)[0].removesuffix(ELLIPSIS) in paragraph.text


@pytest.mark.parametrize("query", ["article 40 21", "40 21", "Art. 40 § 21"])
async def test_an_inline_reference_offers_that_paragraph_first(
    telegram: Harness, retriever: Retriever, query: str
) -> None:
    article = retriever.treaty.article(40)
    assert article is not None
    paragraph = article.paragraph("21")
    assert paragraph is not None
    exchange = await telegram.inline_query(query)
    exchange.assert_all_accepted()
    first = exchange.of("answerInlineQuery")[0].params["results"][0]
    assert first["title"] == f"Art. 40(21) · {article.title}"
    assert blockquotes(first["input_message_content"]["message_text"]) == [paragraph.text]


async def test_a_number_pair_that_names_no_provision_is_not_guessed(telegram: Harness) -> None:
    _, reply = await ask(telegram, "40 99")
    assert not reply.text.startswith("Art. 40")
    assert "no paragraph 99" not in reply.text


# --- Never cut what was asked for --------------------------------------------------------------


async def test_a_named_paragraph_is_quoted_whole(telegram: Harness, retriever: Retriever) -> None:
    """Issue 15: "art. 40(21)" ended "…for the request to be…"."""
    article = retriever.treaty.article(40)
    assert article is not None
    paragraph = article.paragraph("21")
    assert paragraph is not None and utf16_length(paragraph.text) > formatting.FIRST_PREVIEW
    _, reply = await ask(telegram, "art. 40(21)")
    assert blockquotes(reply.html, expandable=False) == [paragraph.text]
    assert not [b for b in button_texts(reply) if b.startswith("Paragraph in full")]


async def test_a_named_paragraph_too_long_for_an_answer_comes_whole_in_messages_of_its_own(
    telegram: Harness, retriever: Retriever
) -> None:
    article = retriever.treaty.article(53)
    assert article is not None
    paragraph = article.paragraph("3")
    assert paragraph is not None and not formatting.fits_whole(
        retriever.ask("article 53 3").results[0]
    )
    exchange, _ = await ask(telegram, "article 53 3")
    exchange.assert_all_accepted()
    shown = " ".join(m.text for m in exchange.sent)
    assert shown.startswith(f"Art. 53(3) · {article.title}\n")
    assert paragraph.text in shown or " ".join(paragraph.text.split()) in " ".join(shown.split())
    assert button_texts(exchange.sent[-1]) == ["« ¶ 2", "¶ 4 »", "Full text: Article 53"]


async def test_a_cut_quote_offers_its_paragraph_in_full(
    telegram: Harness, retriever: Retriever
) -> None:
    question = "When can mutual legal assistance be refused?"
    first = retriever.ask(question, PAGE_SIZE + 1).results[0]
    assert (first.article, first.paragraph) == (40, "21")
    chat = telegram.private_chat()
    reply = (await chat.send(question)).only_message
    opened = blockquotes(reply.html, expandable=False)[-1]
    assert opened.endswith(ELLIPSIS) or opened.startswith(ELLIPSIS)
    label = "Paragraph in full: Art. 40(21)"
    assert button_texts(reply)[0] == label
    pressed = await chat.press(reply, label)
    pressed.assert_all_accepted()
    paragraph = pressed.only_message
    assert blockquotes(paragraph.html) == [first.text]
    assert paragraph.text.endswith(SOURCE_LINE)
    assert button_texts(paragraph) == ["« ¶ 20", "¶ 22 »", "Full text: Article 40"]
    again = await chat.press(reply, label)
    assert [c.method for c in again.calls] == ["answerCallbackQuery"]
    assert again.calls[0].params["text"] == texts.already_shown("40(21)", "en")
    following = await chat.press(paragraph, "¶ 22 »")
    following.assert_all_accepted()
    assert following.only_message.text.startswith("Art. 40(22) · ")


async def test_a_full_article_comes_with_its_navigation(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    exchange = await chat.send("/article 40")
    exchange.assert_all_accepted()
    last = exchange.sent[-1]
    assert all(not m.buttons() for m in exchange.sent[:-1])
    labels = button_texts(last)
    assert labels[:32] == [f"¶ {n}" for n in range(1, 33)]
    assert labels[32:] == ["« Article 39", "Chapter V", "Article 41 »"]
    assert max(len(row) for row in last.reply_markup["inline_keyboard"]) <= 8
    following = await chat.press(last, "Article 41 »")
    following.assert_all_accepted()
    assert following.sent[0].text.startswith("Article 41 · ")
    chapter = await chat.press(last, "Chapter V")
    chapter.assert_all_accepted()
    assert chapter.only_message.text.startswith("Chapter V International cooperation")
    assert "Full text" not in " ".join(button_texts(chapter.only_message))
    paragraph = await chat.press(last, "¶ 21")
    paragraph.assert_all_accepted()
    assert paragraph.only_message.text.startswith("Art. 40(21) · ")


async def test_a_short_article_has_no_paragraph_buttons(telegram: Harness) -> None:
    exchange = await telegram.private_chat().send("/article 7")
    assert button_texts(exchange.only_message) == ["« Article 6", "Chapter II", "Article 8 »"]
    first = await telegram.private_chat().send("/article 1")
    assert button_texts(first.only_message) == ["Chapter I", "Article 2 »"]


async def test_a_broad_question_offers_its_chapter_article_by_article(
    telegram: Harness, retriever: Retriever
) -> None:
    """Issue 15: "what counts as a crime under this convention?" matches a whole chapter."""
    chat = telegram.private_chat()
    exchange = await chat.send("What counts as a crime under this convention?")
    exchange.assert_all_accepted()
    answer = exchange.only_message
    criminalization = retriever.treaty.chapter("II")
    assert criminalization is not None
    listed = [f"Art. {a.number}" for a in criminalization.articles]
    buttons = button_texts(answer)
    assert [b for b in buttons if b.startswith("Art. ")] == listed
    assert answer.text.split("\n\n")[-2] == i18n.text(
        "broad_chapter", "en", number="II", title="Criminalization", articles=f"7{DASH}21"
    )  # in our words, after the quotes and before the source line
    opened = await chat.press(answer, "Art. 13")
    opened.assert_all_accepted()
    assert opened.sent[0].text.startswith("Article 13 · ")

    specific = (await chat.send("Which article makes illegal access a crime?")).only_message
    assert not [b for b in button_texts(specific) if b in listed]
    assert i18n.text("broad_chapter", "en", number="II", title="Criminalization",
                     articles=f"7{DASH}21") not in specific.text


# --- Follow-ups -------------------------------------------------------------------------------

LIABILITY = "Can companies be held liable for these offences?"


async def test_a_follow_up_naming_a_paragraph_means_the_last_answers_article(
    telegram: Harness, retriever: Retriever
) -> None:
    """Issue 15: "and what about paragraph 3?" returned Article 2's lead-in and unrelated
    articles."""
    first = retriever.ask(LIABILITY, PAGE_SIZE + 1).results[0]
    article = retriever.treaty.article(first.article)
    assert article is not None and article.paragraph("3") is not None
    chat = telegram.private_chat()
    await chat.send(LIABILITY)
    exchange = await chat.send("and what about paragraph 3?")
    exchange.assert_all_accepted()
    assert exchange.of("sendChatAction") == []  # not searched
    reply = exchange.only_message
    assert reply.text.startswith(f"Art. {first.article}(3) · {article.title}\n")
    assert blockquotes(reply.html) == [article.paragraph("3").text]


async def test_a_follow_up_sent_as_a_reply_means_the_article_replied_to(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    liability = (await chat.send(LIABILITY)).only_message
    await chat.send(QUESTION)  # the chat's last answer is now Article 7
    first = retriever.ask(LIABILITY, PAGE_SIZE + 1).results[0]
    exchange = await chat.send("paragraph 3", reply_to=liability.payload)
    exchange.assert_all_accepted()
    assert exchange.only_message.text.startswith(f"Art. {first.article}(3) · ")
    group = telegram.group_chat()
    answer = (await group.send(f"@{BOT_USERNAME} {LIABILITY}")).only_message
    in_group = await group.send("and paragraph 3?", reply_to=answer.payload)
    assert in_group.only_message.text.startswith(f"Art. {first.article}(3) · ")


async def test_a_sub_paragraph_and_the_next_one_follow_the_paragraph_quoted(
    telegram: Harness, retriever: Retriever
) -> None:
    article = retriever.treaty.article(40)
    assert article is not None
    chat = telegram.private_chat()
    await chat.send("article 40 21")
    sub = (await chat.send("and (b)?")).only_message
    assert sub.text.startswith(f"Art. 40(21)(b) · {article.title}\n")
    assert blockquotes(sub.html)[0] == "Mutual legal assistance may be refused:"
    assert blockquotes(sub.html)[1].startswith("(b) If the requested State Party considers")
    following = (await chat.send("the next one")).only_message
    assert following.text.startswith("Art. 40(22) · ")
    assert (await chat.send("next")).only_message.text.startswith("Art. 40(23) · ")


async def test_a_french_follow_up(telegram: Harness, retriever: Retriever) -> None:
    chat = telegram.private_chat("fr")
    first = (await chat.send("Quelle est la responsabilité des personnes morales ?")).sent[0]
    cited = re.match(r"Art\. (\d+)", first.text)
    assert cited is not None
    article = retriever.treaty.article(int(cited.group(1)))
    assert article is not None and article.paragraph("2") is not None
    reply = (await chat.send("et le paragraphe 2 ?")).only_message
    assert reply.text.startswith(f"Art. {article.number}(2) · ")
    assert reply.text.endswith(i18n.text("official_text", "fr"))


async def test_a_follow_up_with_nothing_to_follow_asks_which_article(telegram: Harness) -> None:
    exchange = await telegram.private_chat().send("paragraph 3")
    exchange.assert_all_accepted()
    assert exchange.only_message.text == i18n.text("follow_up_which", "en")
    assert exchange.of("sendChatAction") == []


async def test_a_missing_paragraph_in_a_follow_up_says_what_exists(telegram: Harness) -> None:
    chat = telegram.private_chat()
    await chat.send("/article 7")
    reply = (await chat.send("paragraph 9")).only_message
    assert reply.text.startswith("Article 7 has no paragraph 9")


# --- Edited questions -------------------------------------------------------------------------


async def test_an_edited_question_is_answered_again_in_place(
    telegram: Harness, retriever: Retriever
) -> None:
    """Issue 15: people fix typos by editing, and the edit was ignored."""
    chat = telegram.private_chat()
    asked = await chat.send("Which artcle criminalizes illegal intercption?")
    answer = asked.only_message
    edited = await chat.edit(asked, "Which article criminalizes illegal interception?")
    edited.assert_all_accepted()
    assert [c.method for c in edited.calls] == ["editMessageText"]
    assert edited.calls[0].params["message_id"] == answer.message_id
    now = chat.message(answer)
    expected = retriever.ask("Which article criminalizes illegal interception?", 4).results
    assert_answer_page(now, expected[:PAGE_SIZE], retriever.treaty)
    assert "More results" in button_texts(now)


async def test_an_edited_question_whose_answer_is_no_longer_the_latest_gets_a_new_reply(
    telegram: Harness,
) -> None:
    chat = telegram.private_chat()
    asked = await chat.send("Is illegal access a crime?")
    await chat.send("/article 40")  # the bot's latest messages are now Article 40
    edited = await chat.edit(asked, "Is illegal interception a crime?")
    edited.assert_all_accepted()
    assert edited.of("editMessageText") == []
    (sent,) = edited.of("sendMessage")
    assert sent.params["reply_parameters"]["message_id"] == asked.update["message"]["message_id"]
    assert edited.only_message.text.startswith("Art. 8")


async def test_an_edit_in_a_group_not_meant_for_the_bot_is_ignored(telegram: Harness) -> None:
    group = telegram.group_chat()
    chatter = await group.send("see you at lunch")
    assert (await group.edit(chatter, "see you at lunch, 1 pm")).calls == []


async def test_markup_in_a_question_is_escaped_not_interpreted(telegram: Harness) -> None:
    question = "<b>illegal access</b> & <i>interception</i> of computer data?"
    chat = telegram.private_chat()
    reply = (await chat.send(question)).only_message
    more = await chat.press(reply, "More results")
    more.assert_all_accepted()
    assert chat.message(reply).text.startswith(f"Results 4{DASH}6 for “{question}”\n")
    assert "&lt;b&gt;illegal access&lt;/b&gt; &amp; &lt;i&gt;" in chat.message(reply).html


# --- Buttons ---------------------------------------------------------------------------------


async def test_full_text_button_sends_the_article_once(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send(QUESTION)).only_message
    first = retriever.ask(QUESTION).results[0]
    pressed = await chat.press(reply, f"Full text: Article {first.article}")
    pressed.assert_all_accepted()
    assert pressed.calls[0].method == "answerCallbackQuery"
    assert "text" not in pressed.calls[0].params
    article = retriever.treaty.article(first.article)
    assert article is not None
    assert pressed.sent[0].text.startswith(f"Article {first.article} · {first.title} · Chapter")
    assert article.text in " ".join(m.text for m in pressed.sent)
    assert chat.message(reply).html == reply.html, "the answer itself is left as it was"

    again = await chat.press(reply, f"Full text: Article {first.article}")
    again.assert_all_accepted()
    assert [c.method for c in again.calls] == ["answerCallbackQuery"]
    assert again.calls[0].params["text"] == texts.already_shown(first.article, "en")


async def test_more_results_pages_through_in_place(telegram: Harness, retriever: Retriever) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send(QUESTION)).only_message
    answer = retriever.ask(QUESTION, 2 * PAGE_SIZE + 1)
    ranked = answer.results

    more = await chat.press(reply, "More results")
    more.assert_all_accepted()
    assert [c.method for c in more.calls] == ["answerCallbackQuery", "editMessageText"]
    page_two = chat.message(reply)
    assert page_two.text.startswith(f"Results 4{DASH}6 for “{QUESTION}”\n")
    assert_answer_page(page_two, ranked[PAGE_SIZE : 2 * PAGE_SIZE], retriever.treaty)
    following = ["More results"] if len(relevant_results(answer)) > 2 * PAGE_SIZE else []
    top = ranked[PAGE_SIZE]
    cut = top.paragraph and formatting.is_shortened(top)
    assert button_texts(page_two) == [
        *([f"Paragraph in full: {citation(top).split(' · ')[0]}"] if cut else []),
        *answer_buttons(ranked[PAGE_SIZE : 2 * PAGE_SIZE]),
        "Previous results",
        *following,
    ]

    back = await chat.press(page_two, "Previous results")
    back.assert_all_accepted()
    assert chat.message(reply).html == reply.html
    assert chat.message(reply).reply_markup == reply.reply_markup


async def test_paging_ends_where_results_stop_being_relevant_and_says_so(
    telegram: Harness, retriever: Retriever
) -> None:
    """Issue 15: seven pages in, "More results" still offered unrelated articles."""
    question = "Quelle est la responsabilité des personnes morales ?"
    answer = retriever.ask(question, 12)
    assert len(answer.results) > PAGE_SIZE and answer.evidence["relevant"] == ["18"]
    reply = (await telegram.private_chat("fr").send(question)).only_message
    assert i18n.text("button_more", "fr") not in button_texts(reply)
    chat = telegram.private_chat()
    first = (await chat.send(QUESTION)).only_message
    page = first
    for _ in range(10):
        if "More results" not in button_texts(page):
            break
        await chat.press(page, "More results")
        page = chat.message(first)
    assert "More results" not in button_texts(page)
    assert i18n.text("results_end", "en") in page.text


async def test_pressing_a_stale_more_results_button_twice_changes_nothing(
    telegram: Harness,
) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send(QUESTION)).only_message
    await chat.press(reply, "More results")
    page_two = chat.message(reply)
    again = await chat.press(reply, "More results")  # the old keyboard, tapped twice
    assert [c.method for c in again.calls] == ["answerCallbackQuery", "editMessageText"]
    assert "not modified" in again.calls[1].response["description"]
    assert again.sent == [], "no error message for a harmless double tap"
    assert chat.message(reply).html == page_two.html


async def test_more_results_works_once_the_bot_has_forgotten_the_question(
    telegram: Harness, running_bot: Application, retriever: Retriever
) -> None:
    """As after a restart, when nothing the bot kept in memory is left: the button itself names
    the ranked provisions. Only the page heading can no longer name the question."""
    chat = telegram.private_chat()
    reply = (await chat.send(QUESTION)).only_message
    running_bot.bot_data["treaty_bot"].memory.forget(reply.chat_id)
    pressed = await chat.press(reply, "More results")
    pressed.assert_all_accepted()
    assert [c.method for c in pressed.calls] == ["answerCallbackQuery", "editMessageText"]
    page_two = chat.message(reply)
    assert page_two.text.startswith(f"Results 4{DASH}6\n")
    ranked = retriever.ask(QUESTION, 2 * PAGE_SIZE).results
    assert_answer_page(page_two, ranked[PAGE_SIZE:], retriever.treaty)
    back = await chat.press(page_two, "Previous results")
    back.assert_all_accepted()
    # The same provisions, quoted from their start: only marking the words that answer the
    # question (and cutting a long quote around them) needs the question.
    assert_answer_page(chat.message(reply), ranked[:PAGE_SIZE], retriever.treaty)


async def test_more_results_pages_only_as_far_as_the_button_names_results(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    question = "Is hacking a crime?"  # twelve results or more are relevant
    page = (await chat.send(question)).only_message
    pages = [page.text]
    while "More results" in button_texts(page):
        (await chat.press(page, "More results")).assert_all_accepted()
        page = chat.message(page)
        pages.append(page.text)
    ranked = retriever.ask(question, 20).results
    assert 3 <= len(pages) <= 4, "8 to 12 results: as many as fit in the button's 64 bytes"
    shown = [r for text in pages for r in ranked if f"\n{citation(r)}\n" in f"\n{text}"]
    assert shown == list(ranked[: len(shown)]), "every page in rank order, none skipped"
    assert len(shown) >= 8


@pytest.mark.parametrize(
    ("data", "notice"),
    [
        ("more:Ab3_x9Qz:3", "expired"),  # an older version's, whose question was in memory
        ("page:3:7.1,99.1,12.2,40.21", "button_expired"),  # no article 99
        ("page:3:7.1,7.99,12.2,40.21", "button_expired"),  # no paragraph 99
        ("page:0:7.1k", "button_expired"),  # no sub-paragraph (k)
        ("page:6:7.1,12.2,40.21,2k", "no_more_results"),
    ],
)
async def test_a_paging_button_whose_results_cannot_be_shown_says_why(
    telegram: Harness, data: str, notice: str
) -> None:
    chat = telegram.private_chat()
    reply = (await chat.send(QUESTION)).only_message
    old_screen = replace(
        reply, reply_markup={"inline_keyboard": [[{"text": "Old", "callback_data": data}]]}
    )
    pressed = await chat.press(old_screen, "Old")
    pressed.assert_all_accepted()
    assert [c.method for c in pressed.calls] == ["answerCallbackQuery"]
    assert pressed.calls[0].params["text"] == i18n.text(notice, "en")
    assert chat.message(reply).html == reply.html


async def test_toc_browses_chapters_and_opens_articles(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.private_chat()
    exchange = await chat.send("/toc")
    exchange.assert_all_accepted()
    toc = exchange.only_message
    treaty = retriever.treaty
    assert len(treaty.chapters) == 9
    assert f"Chapter II Criminalization: articles 7{DASH}21" in toc.text
    assert "Chapter III Jurisdiction: article 22" in toc.text
    assert button_texts(toc) == [f"Chapter {c.number} · {c.title}" for c in treaty.chapters]

    opened = await chat.press(toc, "Chapter II · Criminalization")
    opened.assert_all_accepted()
    chapter = chat.message(toc)
    criminalization = treaty.chapters[1]
    lines = chapter.text.split("\n")
    assert lines[0] == "Chapter II Criminalization"
    listed = lines[2 : 2 + len(criminalization.articles)]
    assert listed == [f"Article {a.number} · {a.title}" for a in criminalization.articles]
    assert lines[-1].endswith(i18n.text("official_text", "en"))  # the headings are quoted
    assert button_texts(chapter) == [
        *(f"{a.number} · {a.title}" for a in criminalization.articles),
        "« All chapters",
    ]

    article = await chat.press(chapter, "7 · Illegal access")
    article.assert_all_accepted()
    assert article.sent[0].text.startswith("Article 7 · Illegal access · ")

    back = await chat.press(chat.message(toc), "« All chapters")
    back.assert_all_accepted()
    assert chat.message(toc).html == toc.html


@pytest.mark.parametrize("stale_data", ["article:99", "toc:XX", "example:9"])
async def test_a_button_left_over_from_an_older_version_expires_politely(
    telegram: Harness, stale_data: str
) -> None:
    chat = telegram.private_chat()
    toc = (await chat.send("/toc")).only_message
    old_screen = replace(
        toc, reply_markup={"inline_keyboard": [[{"text": "Old", "callback_data": stale_data}]]}
    )
    pressed = await chat.press(old_screen, "Old")
    pressed.assert_all_accepted()
    assert [c.method for c in pressed.calls] == ["answerCallbackQuery"]
    assert pressed.calls[0].params["text"] == i18n.text("button_expired", "en")


# --- Inline mode -----------------------------------------------------------------------------


async def test_inline_query_offers_the_top_articles_as_quotable_results(
    telegram: Harness, retriever: Retriever
) -> None:
    exchange = await telegram.inline_query(QUESTION)
    exchange.assert_all_accepted()  # message texts were valid HTML within 4096
    (call,) = exchange.of("answerInlineQuery")
    results = call.params["results"]
    expected = retriever.ask(QUESTION, 5).results
    assert [r["id"] for r in results] == [str(r.article) for r in expected]
    assert [r["title"] for r in results] == [citation(r) for r in expected]
    for offered, result in zip(results, expected, strict=True):
        html = offered["input_message_content"]["message_text"]
        assert offered["input_message_content"]["parse_mode"] == "HTML"
        link = escape(f"{OFFICIAL_URL}#page={result.pages[0]}")
        cited = escape(citation(result), quote=False)
        assert html.startswith(f'<b><a href="{link}">{cited}</a></b>')
        assert blockquotes(html) == [q for q in (result.lead_in, result.text) if q]
        assert html.endswith(f'· <a href="{escape(OFFICIAL_URL)}">official text</a></i>')


async def test_inline_query_the_treaty_does_not_address_offers_nothing(
    telegram: Harness,
) -> None:
    exchange = await telegram.inline_query(UNRELATED)
    exchange.assert_all_accepted()
    assert exchange.of("answerInlineQuery")[0].params["results"] == []


@pytest.mark.parametrize("query", ["", "   ", "ar"])
async def test_an_empty_or_short_inline_query_offers_the_private_chat(
    telegram: Harness, query: str
) -> None:
    """Issue 15: short prefixes got an empty list with no way into the chat."""
    exchange = await telegram.inline_query(query)
    exchange.assert_all_accepted()
    (call,) = exchange.calls
    assert call.method == "answerInlineQuery" and call.params["results"] == []
    assert call.params["button"] == {
        "text": i18n.text("inline_start", "en"), "start_parameter": "inline"
    }


async def test_typing_an_inline_query_is_not_flooding(telegram: Harness) -> None:
    """Issue 15: every keystroke is an inline query, and the twelfth in five seconds went
    unanswered (the chat flood limit). Only the latest query after a pause is answered."""
    user = user_with("en")
    typed = "Which article criminalizes illegal access?"
    prefixes = [typed[:n] for n in range(len(typed) - 14, len(typed) + 1)]
    assert len(prefixes) > 10  # FLOOD_BURST's default
    ids = []
    for prefix in prefixes:
        inline = {"id": f"typing-{user['id']}-{len(prefix)}", "from": user, "query": prefix,
                  "offset": ""}
        ids.append(await telegram.standin.push_update({"inline_query": inline}))
    for update_id in ids:
        await telegram.processed.wait(update_id)
    answers = [c for c in telegram.standin.calls
               if c.method == "answerInlineQuery" and c.params["inline_query_id"].startswith(
                   f"typing-{user['id']}-")]
    assert [c.params["inline_query_id"] for c in answers] == [f"typing-{user['id']}-{len(typed)}"]
    assert answers[0].ok and answers[0].params["results"][0]["title"].startswith("Art. 7(1)")
    chat = telegram.private_chat()
    chat.user = user
    reply = (await chat.send(typed)).only_message  # the chat allowance is untouched
    assert reply.text.startswith("Art. 7(1)")


# --- Groups ----------------------------------------------------------------------------------


async def test_group_chatter_gets_no_reply(telegram: Harness) -> None:
    chat = telegram.group_chat()
    assert (await chat.send(QUESTION)).calls == []
    assert (await chat.send(f"@someoneelse {QUESTION}")).calls == []
    assert (await chat.send("/frobnicate")).calls == []
    assert (await chat.send(f"/toc@{OTHER_BOT['username']}")).calls == []
    assert (await chat.send_media(sticker=sticker())).calls == []


async def test_group_mention_is_answered_quoting_the_question(
    telegram: Harness, retriever: Retriever
) -> None:
    chat = telegram.group_chat()
    exchange = await chat.send(f"@{BOT_USERNAME} {QUESTION}")
    exchange.assert_all_accepted()
    reply = exchange.only_message
    expected = retriever.ask(QUESTION, PAGE_SIZE + 1).results
    assert_answer_page(reply, expected[:PAGE_SIZE], retriever.treaty)
    (sent,) = exchange.of("sendMessage")
    question_id = exchange.update["message"]["message_id"]
    assert sent.params["reply_parameters"]["message_id"] == question_id


async def test_group_mention_without_a_question_gets_a_hint(telegram: Harness) -> None:
    exchange = await telegram.group_chat().send(f"@{BOT_USERNAME}")
    exchange.assert_all_accepted()
    assert exchange.only_message.text == unescape(texts.empty_mention(BOT_USERNAME, "en"))


async def test_group_reply_to_the_bot_is_answered(telegram: Harness) -> None:
    chat = telegram.group_chat()
    toc = (await chat.send("/toc")).only_message
    exchange = await chat.send(QUESTION, reply_to=toc.payload)
    exchange.assert_all_accepted()
    assert exchange.only_message.text.startswith("Art. 7(1) · Illegal access")


async def test_group_reply_to_someone_else_gets_no_reply(telegram: Harness) -> None:
    chat = telegram.group_chat()
    toc = (await chat.send("/toc")).only_message
    from_someone_else = {**toc.payload, "from": OTHER_BOT}
    assert (await chat.send(QUESTION, reply_to=from_someone_else)).calls == []


@pytest.mark.parametrize("command", ["/toc", f"/toc@{BOT_USERNAME}"])
async def test_group_commands_are_answered(telegram: Harness, command: str) -> None:
    exchange = await telegram.group_chat().send(command)
    exchange.assert_all_accepted()
    assert exchange.only_message.text.startswith("Table of contents")


async def test_group_unknown_command_named_for_the_bot_is_answered(telegram: Harness) -> None:
    exchange = await telegram.group_chat().send(f"/frobnicate@{BOT_USERNAME}")
    assert exchange.only_message.text == i18n.text("unknown_command", "en")


# --- Not text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        {"sticker": sticker()},
        {"photo": [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}},
        {"document": {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "q.pdf"}},
    ],
    ids=["sticker", "photo", "voice", "document"],
)
async def test_non_text_messages_are_asked_for_text(telegram: Harness, content: dict) -> None:
    exchange = await telegram.private_chat().send_media(**content)
    exchange.assert_all_accepted()
    assert exchange.only_message.text == i18n.text("not_text", "en")


async def test_group_sticker_replying_to_the_bot_is_asked_for_text(telegram: Harness) -> None:
    chat = telegram.group_chat()
    toc = (await chat.send("/toc")).only_message
    exchange = await chat.send_media(sticker=sticker(), reply_to_message=toc.payload)
    assert exchange.only_message.text == i18n.text("not_text", "en")


# --- Errors ----------------------------------------------------------------------------------


async def test_a_failure_is_logged_without_the_token_and_the_user_told_plainly(
    telegram: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    chat = telegram.private_chat()
    telegram.standin.fail_next(  # a 400 is final: no retry can help
        "sendChatAction", 400, f"Bad Request: refused at /bot{TOKEN}/sendChatAction"
    )
    with caplog.at_level(logging.ERROR, logger="bot.telegram.handlers"):
        exchange = await chat.send(QUESTION)
    assert [m.text for m in exchange.sent] == [i18n.text("something_went_wrong", "en")]
    records = [r for r in caplog.records if r.name == "bot.telegram.handlers"]
    assert len(records) == 1
    logged = records[0].getMessage()
    user, chat_id = pseudonym(chat.user["id"]), pseudonym(chat.chat["id"])
    assert f"(message; chat {chat_id}, user {user})" in logged
    assert str(chat.user["id"]) not in logged, "users appear in logs only as a hash"
    assert "BadRequest" in logged and "<bot token>" in logged
    assert QUESTION not in logged, "questions are logged only when LOG_QUESTIONS is set"
    assert TOKEN.lower() not in caplog.text.lower()
    assert "refused" not in exchange.sent[0].text
