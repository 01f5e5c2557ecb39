"""Search aids, as records the build embeds into the index:
- `treaty_text/search_aids.toml`: each article's heading and everyday search phrases in Arabic,
  Chinese, French, Russian and Spanish (`bot.search.aids`);
- `treaty_text/paragraph_aids.toml`: for each paragraph of an article that has several, English
  phrases, questions and situations a reader might type about what that paragraph says and its
  siblings do not ("request by email"), which help rank the articles and choose the paragraph
  to quote (`bot.search.fusion`, `bot.search.paragraphs`); `paragraph_aids.<lang>.toml`: three
  to six of each paragraph's entries in each of the other five languages, for questions in it;
- `treaty_text/out_of_scope.toml`: the `examples` of each subject outside the text (status,
  negotiation history, statistics, ...), in the six UN languages: a question closer to them
  than to any paragraph aid is one the text does not answer (`bot.search.scope`).
They are our own words, used only for matching: the bot never shows them, and it quotes only
the English authentic text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.datafiles import DataFileError, read_toml
from bot.index.chunking import Chunk
from bot.settings import TREATY_TEXT_DIR

SEARCH_AIDS_FILE = TREATY_TEXT_DIR / "search_aids.toml"
PARAGRAPH_AIDS_FILE = TREATY_TEXT_DIR / "paragraph_aids.toml"
SCOPE_FILE = TREATY_TEXT_DIR / "out_of_scope.toml"
# A paragraph aid's key: "13" (paragraph 13), "(h)" (item (h) of an article printed without
# numbered paragraphs), "21(b)" (item (b) of paragraph 21) or "article" (the whole of an article
# printed as one paragraph).
WHOLE_ARTICLE = "article"
_PARAGRAPH_KEY = re.compile(rf"^(?:(\d+)(?:\(([a-z]+)\))?|\(([a-z]+)\)|{WHOLE_ARTICLE})$")
AID_LANGUAGES = ("ar", "zh", "fr", "es", "ru")
ENGLISH = "en"
TRANSLATED_PARAGRAPH_AIDS = {
    lang: TREATY_TEXT_DIR / f"paragraph_aids.{lang}.toml" for lang in AID_LANGUAGES
}


@dataclass(frozen=True)
class SearchAid:
    article: int
    lang: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_search_aids() -> list[SearchAid]:
    data = read_toml(SEARCH_AIDS_FILE, optional=True)
    return [
        SearchAid(entry["number"], lang, text)
        for entry in data.get("article", [])
        for lang in AID_LANGUAGES
        for text in entry.get(lang, [])
    ]


@dataclass(frozen=True)
class ParagraphAid:
    article: int
    paragraph: str | None  # None: an article printed without numbered paragraphs
    subparagraph: str | None  # None: the whole paragraph
    text: str
    lang: str = ENGLISH

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> str:
        """As written in the file: "13", "21(b)", "(h)", "article"."""
        if self.paragraph is None and self.subparagraph is None:
            return WHOLE_ARTICLE
        return (self.paragraph or "") + (f"({self.subparagraph})" if self.subparagraph else "")

    def describes(self, article: int, paragraph: str | None, subparagraph: str | None) -> bool:
        """Whether a unit quoting this citation quotes what the aid describes: the paragraph,
        or the item, alone or within its whole paragraph."""
        return (
            article == self.article
            and paragraph == self.paragraph
            and (self.subparagraph is None or subparagraph in (None, self.subparagraph))
        )


def load_paragraph_aids(
    path: Path = PARAGRAPH_AIDS_FILE, lang: str = ENGLISH
) -> list[ParagraphAid]:
    """One table per article (`[40]`), one list of phrases per paragraph key."""
    aids = []
    for article, table in read_toml(path, optional=True).items():
        for key, phrases in table.items():
            match = _PARAGRAPH_KEY.match(key) if article.isdigit() else None
            if match is None or not isinstance(phrases, list):
                raise DataFileError(
                    f"{path}: [{article}] {key!r} is not a paragraph key with a list of "
                    'phrases: write [40] then "13" = [...], "21(b)" = [...], "(h)" = [...] '
                    'or "article" = [...]'
                )
            paragraph, item, letter = match.groups()
            aids.extend(ParagraphAid(int(article), paragraph, item or letter, str(text), lang)
                        for text in phrases)
    return aids


def described_units(aids: Sequence[ParagraphAid], chunks: Sequence[Chunk]) -> list[tuple[int, int]]:
    """(aid row, unit) for every search unit (not a heading) that quotes what an aid describes,
    ordered by unit."""
    units_of: dict[tuple[int, str | None], list[int]] = defaultdict(list)
    for unit, chunk in enumerate(chunks):
        if chunk.kind != "heading":
            units_of[(chunk.article, chunk.paragraph)].append(unit)
    return sorted(
        ((row, unit)
         for row, aid in enumerate(aids)
         for unit in units_of[(aid.article, aid.paragraph)]
         if aid.describes(aid.article, aid.paragraph, chunks[unit].subparagraph)),
        key=lambda pair: pair[1],
    )


@dataclass(frozen=True)
class ScopeExample:
    """A question the text does not answer, written for one subject of the scope catalogue."""

    subject: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_scope_examples(path: Path = SCOPE_FILE) -> list[ScopeExample]:
    return [
        ScopeExample(subject["id"], str(text))
        for subject in read_toml(path, optional=True).get("subject", [])
        for text in subject.get("examples", [])
    ]
