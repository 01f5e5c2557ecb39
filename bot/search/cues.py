"""Question cues (`treaty_text/question_cues.toml`): kinds of question ("how long", "who
pays", "can it be refused", "is it a crime", "what does X mean") that point to the paragraph
of an article that speaks of periods, costs, refusal, offences or definitions. A matched cue
gives those paragraphs a bonus when the quoted paragraph is chosen. A cue may point to the
article's first paragraph instead (`paragraph = "first"`): a question that only names a
subject ("liability of legal persons") asks for the article's main rule. A cue for an action
that few paragraphs provide ("taken down", "a failed attempt", "without being asked") may also
rank articles (`ranks_articles = true`): the question asks for that action whatever subject it
names ("my intimate photos": the offence article). The file also names this Convention in
full (`full_name`), which the embedding models read as its head word ("the Convention")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.datafiles import read_toml
from bot.index.chunking import Chunk
from bot.settings import TREATY_TEXT_DIR

CUES_FILE = TREATY_TEXT_DIR / "question_cues.toml"
FIRST_PARAGRAPH = "first"


@dataclass(frozen=True)
class Cue:
    id: str
    question: re.Pattern[str]
    paragraph: re.Pattern[str] | None  # None: the article's first paragraph
    yields_to: frozenset[str] = frozenset()  # cues that, matched too, ask the narrower thing
    ranks_articles: bool = False  # its paragraphs' articles are raised among the first ones


@dataclass(frozen=True)
class FullName:
    """This Convention named in full, and the words the embedding models read instead."""

    pattern: re.Pattern[str]
    read_as: str  # a `re.sub` template


@dataclass(frozen=True)
class Counterparts:
    """Powers of chapter IV that chapter V lends to another State (preservation: 25 and 42): a
    question that names another State, a request from abroad or mutual legal assistance asks
    for the international article of a pair. (One that names none may still ask for it: "can
    a state refuse to preserve data?" is about a request; so the domestic one is not preferred
    then: on our files that lost more than it won.)"""

    foreign: re.Pattern[str]
    pairs: tuple[tuple[int, int], ...]  # (domestic, international)

    def preferred(self, question: str) -> list[tuple[int, int]]:
        """(the article asked for, its counterpart) for each pair, if the question names
        another State."""
        if self.foreign.search(question):
            return [(international, domestic) for domestic, international in self.pairs]
        return []


class Cues:
    def __init__(
        self, cues: Sequence[Cue], units: Sequence[Chunk],
        counterparts: Counterparts | None = None, full_names: Sequence[FullName] = (),
    ) -> None:
        """`units`: every search unit, in index order. Which units a cue's paragraph pattern
        matches is worked out the first time a question matches the cue: doing it for every cue
        at load was a tenth of a cold start."""
        self.cues = tuple(cues)
        self._texts = [unit.text for unit in units]
        self._articles = np.array([unit.article for unit in units])
        self._first = np.array([u.kind != "heading" and u.paragraph in ("1", None)
                                for u in units])
        self._units: dict[str, np.ndarray] = {}
        self._counterparts = counterparts
        self._full_names = tuple(full_names)

    @classmethod
    def load(cls, units: Sequence[Chunk], path: Path = CUES_FILE) -> Cues:
        data = read_toml(path, optional=True)
        cues = [
            Cue(
                raw["id"],
                re.compile(raw["question"], re.IGNORECASE),
                None if raw["paragraph"] == FIRST_PARAGRAPH
                else re.compile(raw["paragraph"], re.IGNORECASE),
                frozenset(raw.get("yields_to", ())),
                raw.get("ranks_articles", False),
            )
            for raw in data.get("cue", [])
        ]
        raw = data.get("counterparts")
        counterparts = Counterparts(
            re.compile(raw["foreign"], re.IGNORECASE), tuple(map(tuple, raw["pairs"]))
        ) if raw else None
        full_names = [
            FullName(re.compile(raw["pattern"], re.IGNORECASE), raw["read_as"])
            for raw in data.get("full_name", [])
        ]
        return cls(cues, units, counterparts, full_names)

    def matching(self, question: str) -> list[Cue]:
        """The cues the question matches, less those that yield to another matched one ("is a
        State allowed to require intent for the offence?" asks the option, not the offence)."""
        matched = [cue for cue in self.cues if cue.question.search(question)]
        ids = {cue.id for cue in matched}
        return [cue for cue in matched if not cue.yields_to & ids]

    @staticmethod
    def subject_named(question: str, cues: Sequence[Cue]) -> str | None:
        """The subject a matched cue reads out of the question (a group named `subject...`:
        "what about extradition?" → "extradition"), if any."""
        for cue in cues:
            names = [name for name in cue.question.groupindex if name.startswith("subject")]
            if names and (match := cue.question.search(question)):
                return next((found for name in names if (found := match.group(name))), None)
        return None

    def shortened(self, text: str) -> str:
        """`text` with this Convention's full name read as its head word ("the Convention")."""
        for name in self._full_names:
            text = name.pattern.sub(name.read_as, text)
        return text

    @staticmethod
    def asks_main_rule(cues: Sequence[Cue]) -> bool:
        """Whether a matched cue points to the first paragraph: the question names a subject,
        so its answer is a paragraph whole, not one item of it."""
        return any(cue.paragraph is None for cue in cues)

    def units(self, cues: Sequence[Cue]) -> list[np.ndarray]:
        """For each cue, which units its paragraph pattern matches."""
        return [self._matched(cue) for cue in cues]

    def counterparts(self, question: str) -> list[tuple[int, int]]:
        """(the article asked for, its counterpart) for each maintained pair."""
        return self._counterparts.preferred(question) if self._counterparts else []

    def articles(self, cues: Sequence[Cue]) -> set[int]:
        """The articles that hold a paragraph of one of the `cues` that rank articles."""
        return {
            int(article) for cue in cues if cue.ranks_articles
            for article in self._articles[self._matched(cue)]
        }

    def _matched(self, cue: Cue) -> np.ndarray:
        if cue.paragraph is None:
            return self._first
        if cue.id not in self._units:
            self._units[cue.id] = np.array([bool(cue.paragraph.search(t)) for t in self._texts])
        return self._units[cue.id]
