"""The stand-in refuses what Telegram refuses; otherwise the end-to-end tests could not fail.

Checked on the parser directly, and once through python-telegram-bot's HTTP stack to show
that a refusal reaches the bot as Telegram's BadRequest.
"""

from __future__ import annotations

import pytest
from botapi_standin import BadRequest, BotApiStandIn, message_text, parse_telegram_html
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram import error as telegram_error
from telegram.ext import Application


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>bold", 'start tag "b"'),
        ("<b><i>crossed</b></i>", 'start tag "i"'),
        ("closed</b>", 'start tag "b"'),
        ("<p>paragraph</p>", 'Unsupported start tag "p"'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("line<br/>break", 'Unsupported start tag "br"'),
        ("a < b", "Unexpected '<'"),
        ("a > b", "Unexpected '>'"),
        ("AT&T", "Unexpected '&'"),
        ("non&nbsp;breaking", 'Unsupported entity "&nbsp;"'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "can't be nested"),
        ("<code><b>x</b></code>", "can't be nested"),
        ("<span>x</span>", "span class"),
        ("<a>link</a>", "href"),
        ('<b class="x">x</b>', 'Unsupported attribute "class"'),
        ("<!-- note -->x", "comments"),
    ],
)
def test_invalid_telegram_html_is_refused(html: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        parse_telegram_html(html)


def test_valid_telegram_html_gives_the_text_a_user_sees() -> None:
    html = (
        "<b>bold</b> <strong>s</strong> <i>i</i> <u>u</u> <s>s</s> &lt;&gt;&amp;&quot; "
        "&#8211;&#x2013; <blockquote expandable>quote</blockquote> "
        '<pre><code class="language-python">x = 1</code></pre> '
        '<span class="tg-spoiler">hidden</span> <a href="https://example.org">link</a>'
    )
    assert parse_telegram_html(html) == (
        'bold s i u s <>&" \N{EN DASH}\N{EN DASH} quote x = 1 hidden link'
    )


@pytest.mark.parametrize(
    ("text", "parse_mode", "fits"),
    [
        ("x" * 4096, None, True),
        ("x" * 4097, None, False),
        ("😀" * 2048, None, True),  # 4096 UTF-16 code units
        ("😀" * 2049, None, False),
        ("<b>" + "x" * 4096 + "</b>", "HTML", True),  # markup does not count
        ("&amp;" * 4096, "HTML", True),
        ("&amp;" * 4097, "HTML", False),
        ("  \n ", None, False),
    ],
)
def test_message_length_is_counted_after_entity_parsing(
    text: str, parse_mode: str | None, fits: bool
) -> None:
    if fits:
        message_text(text, parse_mode)
    else:
        with pytest.raises(BadRequest, match=r"too long|empty"):
            message_text(text, parse_mode)


async def test_refusals_reach_the_bot_as_telegram_bad_requests(
    bot_api: BotApiStandIn, running_bot: Application
) -> None:
    chat_id = 991
    bot_api.register_chat({"id": chat_id, "type": "private", "first_name": "Test"})
    bot = running_bot.bot
    with pytest.raises(telegram_error.BadRequest, match="parse entities"):
        await bot.send_message(chat_id, "<b>unclosed")
    with pytest.raises(telegram_error.BadRequest, match="too long"):
        await bot.send_message(chat_id, "x" * 4097)
    with pytest.raises(telegram_error.BadRequest, match="Button_data_invalid"):
        button = InlineKeyboardButton("b", callback_data="x" * 65)
        await bot.send_message(chat_id, "ok", reply_markup=InlineKeyboardMarkup([[button]]))
    with pytest.raises(telegram_error.BadRequest, match="Chat not found"):
        await bot.send_message(chat_id + 1, "ok")

    bot_api.open_query("inline-1")
    long_result = InlineQueryResultArticle(
        id="1", title="Too long", input_message_content=InputTextMessageContent("x" * 4097)
    )
    with pytest.raises(telegram_error.BadRequest, match="too long"):
        await bot.answer_inline_query("inline-1", [long_result])
    with pytest.raises(telegram_error.BadRequest, match="Query is too old"):
        await bot.answer_inline_query("inline-1", [])  # an inline query is answered once

    sent = await bot.send_message(chat_id, "<b>fine</b>")
    assert sent.text == "fine"
