"""The definition signal: a question asking what a term means, for a term that Article 2
defines, points to that definition."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.encoding.lexical import tokenize
from bot.index.chunking import Chunk
from bot.search.glossary import contains_phrase

DEFINITIONS_ARTICLE = 2
DEFINITION_INTENT = re.compile(
    r"\b(defin\w*|meaning|means|mean|what is an?|what are|what counts as|what is meant)\b",
    re.IGNORECASE,
)


class DefinedTerms:
    """Every “quoted term” that Article 2 defines, stemmed, with the unit that defines it."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        terms = []
        for index, chunk in enumerate(chunks):
            if chunk.article != DEFINITIONS_ARTICLE or chunk.kind != "paragraph":
                continue
            for line in chunk.text.split("\n"):
                head = line.split(" shall mean")[0]
                terms.extend(
                    (tuple(tokenize(term)), index) for term in re.findall(r"“([^”]+)”", head)
                )
        self._terms = [(term, unit) for term, unit in terms if term]

    def units_asked_for(self, question: str, tokens: Sequence[str]) -> list[int]:
        """Article 2 units defining a term the question asks the meaning of."""
        if not DEFINITION_INTENT.search(question):
            return []
        return [unit for term, unit in self._terms if contains_phrase(tokens, term)]
