"""The concordance of this Convention with the Budapest Convention (`treaty_text/
concordance.toml`, maintained by hand from a reading of both texts): for each UN article the
Budapest article(s) on the same ground and one line, in our own words, on the main difference.
Those lines are never treaty text: every interface shows them labelled as ours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.datafiles import read_toml
from bot.errors import TreatyBotError
from bot.settings import TREATY_TEXT_DIR
from bot.treaty.layout import ARTICLE_COUNT, BUDAPEST_ARTICLE_COUNT

CONCORDANCE_FILE = TREATY_TEXT_DIR / "concordance.toml"
NO_COUNTERPART = "No counterpart:"
MAX_NOTE_CHARS = 160


class ConcordanceError(TreatyBotError, ValueError):
    """concordance.toml breaks its own rules; the message says which entry and how."""


@dataclass(frozen=True)
class Entry:
    un: int
    budapest: tuple[int, ...]  # empty: no counterpart
    note: str  # our words


class Concordance:
    def __init__(self, entries: list[Entry]) -> None:
        self._by_un = {entry.un: entry for entry in entries}

    @classmethod
    def load(cls, path: Path = CONCORDANCE_FILE) -> Concordance:
        """The concordance, checked: every UN article once, in order; Budapest numbers that
        exist; one-line notes; "No counterpart:" exactly where there is none."""
        raw = read_toml(path).get("article", [])
        entries = [Entry(int(r["un"]), tuple(int(b) for b in r["budapest"]), r["note"].strip())
                   for r in raw]
        problems = []
        if [e.un for e in entries] != list(range(1, ARTICLE_COUNT + 1)):
            problems.append(f"the UN articles must be 1..{ARTICLE_COUNT}, each once, in order")
        for entry in entries:
            if any(not 1 <= b <= BUDAPEST_ARTICLE_COUNT for b in entry.budapest):
                problems.append(f"UN {entry.un}: Budapest articles are 1..{BUDAPEST_ARTICLE_COUNT}")
            if not entry.note or "\n" in entry.note or len(entry.note) > MAX_NOTE_CHARS:
                problems.append(f"UN {entry.un}: the note must be one line of at most "
                                f"{MAX_NOTE_CHARS} characters")
            if (not entry.budapest) != entry.note.startswith(NO_COUNTERPART):
                problems.append(f"UN {entry.un}: a note starts with {NO_COUNTERPART!r} exactly "
                                "when the article has no Budapest counterpart")
        if problems:
            raise ConcordanceError(f"{path}: " + "; ".join(problems))
        return cls(entries)

    def entry(self, un_article: int) -> Entry | None:
        return self._by_un.get(un_article)

    def counterparts(self, un_article: int) -> tuple[int, ...]:
        entry = self._by_un.get(un_article)
        return entry.budapest if entry else ()

    def un_articles_for(self, budapest_article: int) -> tuple[int, ...]:
        """The UN articles that map to a Budapest article, in order."""
        return tuple(e.un for e in self._by_un.values() if budapest_article in e.budapest)
