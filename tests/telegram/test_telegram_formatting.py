"""Formatting rules on their own: Telegram-valid HTML, the 4096 limit, verbatim and complete text.

Every message is checked with the stand-in's parser, the same one that refuses what Telegram
refuses in the end-to-end tests.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape, unescape

import pytest
from botapi_standin import parse_telegram_html, utf16_length
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.results import ArticleResult
from bot.telegram import formatting, i18n
from bot.telegram.formatting import (
    ELLIPSIS,
    MESSAGE_LIMIT,
    MIN_SHARE,
    Block,
    Style,
    render_messages,
    shorten,
    split_text,
    visible_length,
)
from bot.treaty.citations import short_citation_line
from bot.treaty.model import Treaty
from bot.treaty.parsing import parse_treaty_text


def words(text: str) -> list[str]:
    return text.split()


@pytest.fixture(scope="module")
def treaty(layout_text: str) -> Treaty:
    return parse_treaty_text(layout_text, source_sha256="0" * 64)


def result_for(treaty: Treaty, article: int, label: str | None) -> ArticleResult:
    found = treaty.article(article)
    assert found is not None
    paragraph = found.paragraph(label) if label else found.paragraphs[0]
    assert paragraph is not None
    return ArticleResult(
        document="convention",
        article=article,
        title=found.title,
        chapter=found.chapter,
        paragraph=paragraph.label,
        text=paragraph.text,
        score=1.0,
        notes=treaty.notes_for(article),
    )


text_with_markup = st.text(
    alphabet=st.sampled_from([*"abc xyz.;:\n<>&\"'“”…", "\N{EN DASH}", "😀", "é"]), max_size=600
)


@settings(max_examples=200, deadline=None)
@given(text=text_with_markup, limit=st.integers(min_value=20, max_value=300))
def test_split_text_pieces_fit_and_keep_every_word_in_order(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < utf16_length(piece) <= limit for piece in pieces)
    assert all(piece == piece.strip() for piece in pieces)
    assert "".join(" ".join(pieces).split()) == "".join(text.split())
    if all(utf16_length(word) <= limit for word in words(text)):
        assert words(" ".join(pieces)) == words(text)


def test_split_text_prefers_sentence_ends_to_word_ends() -> None:
    text = "word " * 7 + "end of a sentence; " + "word " * 20
    pieces = split_text(text, 60)
    assert pieces[0] == "word " * 7 + "end of a sentence;"
    assert pieces[1].startswith("word word")


@settings(max_examples=200, deadline=None)
@given(text=text_with_markup, limit=st.integers(min_value=10, max_value=300))
def test_shorten_cuts_at_a_word_and_stays_a_verbatim_prefix(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert utf16_length(short) <= limit
    if short == text:
        return
    assert short.endswith(ELLIPSIS)
    kept = short.removesuffix(ELLIPSIS)
    assert text.startswith(kept)
    following = text[len(kept) : len(kept) + 1]
    assert following.isspace() or not any(c.isspace() for c in kept.lstrip()), "cut in a word"


blocks = st.lists(
    st.builds(
        Block,
        text=text_with_markup.filter(str.strip),
        style=st.sampled_from(list(Style)),
        gap=st.sampled_from(["\n", "\n\n"]),
        heading=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(blocks=blocks, limit=st.integers(min_value=40, max_value=500))
def test_render_messages_are_valid_html_within_the_limit_and_complete(
    blocks: list[Block], limit: int
) -> None:
    messages = render_messages(blocks, limit)
    shown = [parse_telegram_html(message) for message in messages]  # raises if Telegram would
    assert all(utf16_length(text) <= limit for text in shown)
    assert "".join("".join(shown).split()) == "".join("".join(b.text for b in blocks).split())


def test_escaping_survives_text_that_looks_like_markup() -> None:
    html = formatting.render([Block("<b>not bold</b> & &amp; <br>", Style.QUOTE)])
    assert html == "<blockquote>&lt;b&gt;not bold&lt;/b&gt; &amp; &amp;amp; &lt;br&gt;</blockquote>"
    assert parse_telegram_html(html) == "<b>not bold</b> & &amp; <br>"


def source_line(treaty: Treaty, lang: str = "en") -> str:
    """The line under every quoting reply, as the reader sees it."""
    return (f"{i18n.text('source_line', lang, symbol=treaty.symbol)} · "
            f"{i18n.text('official_text', lang)}")


def test_every_article_renders_as_valid_messages_with_its_text_complete(treaty: Treaty) -> None:
    for article in treaty.articles:
        messages = formatting.article_messages(article, treaty)
        shown = [parse_telegram_html(m) for m in messages]
        assert all(utf16_length(text) <= MESSAGE_LIMIT for text in shown), article.number
        expected = [
            f"Article {article.number} · {article.title} · {article.chapter}",
            article.text,
            *(
                f"Interpretative note {n.number} · {n.heading} {n.text}"
                for n in treaty.notes_for(article.number)
            ),
            source_line(treaty),
        ]
        assert words(" ".join(shown)) == words(" ".join(expected)), article.number
        for message in messages[:-1]:
            assert not message.endswith("</b>"), f"article {article.number}: citation left alone"
            assert not re.search(r"<i>Interpretative note[^<]*</i>$", message), "orphan heading"


def test_article_40_splits_between_paragraphs(treaty: Treaty) -> None:
    article = treaty.article(40)
    assert article is not None
    shown = [parse_telegram_html(m) for m in formatting.article_messages(article, treaty)]
    assert len(shown) >= 4
    for text in shown[1:]:
        assert re.match(r"\d+\. ", text), f"a message starts mid-paragraph: {text[:60]!r}"


def test_a_paragraph_longer_than_a_message_splits_at_a_sentence_end(treaty: Treaty) -> None:
    article = treaty.article(2)  # one unnumbered paragraph of about 4,090 characters
    assert article is not None and len(article.paragraphs) == 1
    shown = [parse_telegram_html(m) for m in formatting.article_messages(article, treaty)]
    assert len(shown) >= 2
    cut = shown[0].rstrip()
    assert cut.endswith((";", ".", ":")), f"cut mid-sentence: {cut[-60:]!r}"


def longest_results(treaty: Treaty) -> list[ArticleResult]:
    longest = sorted(
        ((len(p.text), a.number, p.label) for a in treaty.articles for p in a.paragraphs),
        reverse=True,
    )[:3]
    return [result_for(treaty, number, label) for _, number, label in longest]


def quotes_in(html: str, expandable: bool) -> list[str]:
    """The texts of the open (or collapsed) quotes, without the markup inside them."""
    tag = "<blockquote expandable>" if expandable else "<blockquote>"
    return [
        unescape(re.sub(r"<[^>]+>", "", q))
        for q in re.findall(rf"{tag}(.*?)</blockquote>", html, re.S)
    ]


def test_answer_with_the_longest_paragraphs_still_fits_one_message(treaty: Treaty) -> None:
    results = longest_results(treaty)
    html = formatting.answer_message(results, treaty, heading="“a question” <with> & markup")
    shown = parse_telegram_html(html)
    assert utf16_length(shown) <= MESSAGE_LIMIT
    assert shown.startswith("“a question” <with> & markup")
    first, *others = results
    (opened,) = quotes_in(html, expandable=False)
    assert opened.endswith(ELLIPSIS) and first.text.startswith(opened[:-1])
    assert utf16_length(opened) <= formatting.FIRST_PREVIEW
    collapsed = quotes_in(html, expandable=True)
    for result in others:
        head = f"Art. {result.article}({result.paragraph}) · {result.title}"
        (quote,) = [q for q in collapsed if q.startswith(head)]
        preview = quote.removeprefix(head).strip()
        assert preview.endswith(ELLIPSIS) and result.text.startswith(preview[:-1])


def test_an_answer_opens_the_best_result_and_collapses_the_others(treaty: Treaty) -> None:
    """Issue 15: answers ran two to three phone screens."""
    best = replace(result_for(treaty, 7, "1"), highlight=(0, 20))
    definition = replace(
        result_for(treaty, 2, None), subparagraph="h", text="(h) a definition",
        lead_in="For the purposes of this Convention:", notes=treaty.notes_for(2),
    )
    others = [result_for(treaty, 40, "21"), definition]
    html = formatting.answer_message([best, *others], treaty)
    parse_telegram_html(html)
    outside = parse_telegram_html(re.sub(r"<blockquote expandable>.*?</blockquote>", "", html,
                                         flags=re.S))
    assert outside.startswith(f"Art. 7(1) · {best.title}\n{best.text}")
    assert f"<b>{escape(best.text[:20], quote=False)}</b>" in html
    assert "Chapter" not in outside  # the chapter only in full texts
    assert outside.endswith(source_line(treaty))
    collapsed = quotes_in(html, expandable=True)
    assert [q.split(" · ")[0] for q in collapsed] == ["Art. 40(21)", "Art. 2(h)"]
    assert collapsed[1] == (
        "Art. 2(h) · Use of terms\nFor the purposes of this Convention:\n(h) a definition"
    )
    assert "Interpretative note" not in html  # notes only under the open result


def test_notes_on_the_best_result_are_collapsed_under_it(treaty: Treaty) -> None:
    result = result_for(treaty, 2, None)
    html = formatting.answer_message([result], treaty)
    (notes,) = [q for q in quotes_in(html, expandable=True) if q.startswith("Interpretative")]
    for note in treaty.notes_for(2):
        assert f"Interpretative note {note.number} · {note.heading}" in notes


def test_inline_message_quotes_the_whole_paragraph_when_it_fits(treaty: Treaty) -> None:
    result = replace(result_for(treaty, 40, "21"), link="https://x.test/pdf#page=27")
    html = formatting.inline_result_message(result, treaty)
    shown = parse_telegram_html(html)
    assert result.text in shown
    assert shown.startswith(f"Art. 40(21) · {result.title}\n")
    assert '<a href="https://x.test/pdf#page=27">Art. 40(21)' in html
    assert shown.endswith(source_line(treaty))


def test_inline_message_cuts_a_paragraph_too_long_for_one_message(treaty: Treaty) -> None:
    result = result_for(treaty, 2, None)
    shown = parse_telegram_html(formatting.inline_result_message(result, treaty))
    assert utf16_length(shown) <= MESSAGE_LIMIT
    assert ELLIPSIS in shown


# --- The source line: verbatim, the English authentic text, the official text -----------------


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_reply_that_quotes_ends_with_the_source_line(treaty: Treaty, lang: str) -> None:
    """Issue 15: the note on the English text was longer than some quotes, and missing under
    /article and "Full text" replies."""
    results = longest_results(treaty)
    article = treaty.article(40)
    assert article is not None
    paragraph = article.paragraph("21")
    assert paragraph is not None
    replies = [
        formatting.answer_message(results, treaty, heading="“a question”", lang=lang),
        formatting.inline_result_message(result_for(treaty, 2, None), treaty, lang),
        formatting.article_messages(article, treaty, lang)[-1],
        formatting.paragraph_messages(article, paragraph, treaty, lang)[-1],
        formatting.declined_message("Not answered.", results, treaty, lang),
    ]
    link = f'<a href="{escape(formatting.official_text_url(lang))}">'
    for html in replies:
        shown = parse_telegram_html(html)
        assert utf16_length(shown) <= MESSAGE_LIMIT
        assert shown.endswith(f"\n\n{source_line(treaty, lang)}")
        assert link in html
    assert len(source_line(treaty, lang)) <= 90, "one short line"


def test_the_official_text_is_linked_in_the_readers_language() -> None:
    assert formatting.official_text_url("fr").endswith("s=A/RES/79/243&l=fr&t=pdf")
    assert formatting.official_text_url("en") == i18n_official_url()
    assert formatting.official_text_url("de-DE").endswith("&l=en&t=pdf")


def i18n_official_url() -> str:
    from bot.source.obtain import official_document

    return official_document().url


def test_the_answering_clause_is_bold_and_the_citation_links_to_its_page() -> None:
    block = formatting.Block("a < b; the answer & more.", formatting.Style.QUOTE, bold=(7, 17))
    assert block.html() == "<blockquote>a &lt; b; <b>the answer</b> &amp; more.</blockquote>"
    line = formatting.citation(7, "Illegal access", "Chapter II", link="https://x.test/a?b=1&c=2")
    assert line.html() == (
        '<b><a href="https://x.test/a?b=1&amp;c=2">Article 7 · Illegal access · Chapter II</a></b>'
    )


def test_short_citations() -> None:
    assert short_citation_line(47, "Law enforcement cooperation", "1", "c") == (
        "Art. 47(1)(c) · Law enforcement cooperation"
    )
    assert short_citation_line(2, "Use of terms", None, "h") == "Art. 2(h) · Use of terms"
    assert short_citation_line(10, "Title") == "Art. 10 · Title"


@given(st.text(alphabet="ab .;", min_size=1, max_size=400), st.integers(0, 399),
       st.integers(1, 60), st.integers(MIN_SHARE, 300))
def test_a_shortened_quote_keeps_its_bold_clause_in_view(
    text: str, start: int, width: int, limit: int
) -> None:
    start = min(start, len(text) - 1)
    bold = (start, min(len(text), start + width))
    shown, shown_bold = formatting.shorten_quote(text, limit, bold)
    assert visible_length(shown) <= limit
    if shown == text:
        assert shown_bold == bold
    else:
        kept = shown.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
        assert kept in text
        s, e = shown_bold
        assert 0 <= s <= e <= len(shown)
        assert text[bold[0]:bold[1]].startswith(shown[s:e])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_about_says_when_the_index_is_unverified_and_what_the_checksum_is_of(
    treaty: Treaty, lang: str
) -> None:
    """Issue 16, point 1: a build from an unverified text still showed "Source PDF SHA-256"."""
    verified_pdf = {"source_sha256": "a" * 64, "verified": True, "source": {"is_pdf": True}}
    unverified_text = {"source_sha256": "b" * 64, "verified": False, "source": {"is_pdf": False}}
    shown = formatting.about_message(treaty, verified_pdf, lang)
    assert i18n.text("about_checksum", lang) in unescape(shown)
    assert i18n.text("about_unverified", lang) not in unescape(shown)
    warned = formatting.about_message(treaty, unverified_text, lang)
    parse_telegram_html(warned)
    assert unescape(warned).index(i18n.text("about_unverified", lang)) < unescape(warned).index(
        i18n.text("about_intro", lang)
    )
    assert i18n.text("about_checksum_text", lang) in unescape(warned)
    assert i18n.text("about_checksum", lang) not in unescape(warned)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_about_is_for_people_first_and_the_build_details_come_last(
    treaty: Treaty, lang: str
) -> None:
    """Issue 15: /about showed a SHA-256 and the model name but no link to the document."""
    manifest = {"source_sha256": "a" * 64, "built_at": "2026-12-01T00:00:00Z", "model": "m"}
    html = formatting.about_message(treaty, manifest, lang)
    shown = parse_telegram_html(html)
    assert f'<a href="{escape(formatting.official_text_url(lang))}">' in html
    assert "2024-12-24" in shown and treaty.symbol in shown
    verify = shown.index(i18n.text("about_verify_title", lang))
    build = shown.index(i18n.text("about_build", lang))
    assert shown.index(i18n.text("about_intro", lang)) < verify < build < shown.index("a" * 64)
