"""Question cues (`treaty_text/question_cues.toml`): kinds of question ("how long", "who
pays", "can it be refused", "is it a crime", "what does X mean") that point to the paragraph
of an article that speaks of periods, costs, refusal, offences or definitions. A matched cue
gives those paragraphs a bonus when the quoted paragraph is chosen."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.settings import TREATY_TEXT_DIR

CUES_FILE = TREATY_TEXT_DIR / "question_cues.toml"


@dataclass(frozen=True)
class Cue:
    id: str
    question: re.Pattern[str]
    paragraph: re.Pattern[str]


class Cues:
    def __init__(self, cues: Sequence[Cue], unit_texts: Sequence[str]) -> None:
        """`unit_texts`: the verbatim text of every search unit, in index order."""
        self.cues = tuple(cues)
        self._units = {
            cue.id: np.array([bool(cue.paragraph.search(text)) for text in unit_texts])
            for cue in self.cues
        }

    @classmethod
    def load(cls, unit_texts: Sequence[str], path: Path = CUES_FILE) -> Cues:
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        cues = [
            Cue(raw["id"], re.compile(raw["question"], re.IGNORECASE),
                re.compile(raw["paragraph"], re.IGNORECASE))
            for raw in data.get("cue", [])
        ]
        return cls(cues, unit_texts)

    def matching(self, question: str) -> list[Cue]:
        return [cue for cue in self.cues if cue.question.search(question)]

    def units(self, cues: Sequence[Cue]) -> list[np.ndarray]:
        """For each cue, which units its paragraph pattern matches."""
        return [self._units[cue.id] for cue in cues]
