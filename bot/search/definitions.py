"""The definition signal: a question asking what a term means, for a term that the Convention
defines (Article 2's list, and the few articles that define a term of their own: "intimate
image" in article 16, "child sexual abuse or child sexual exploitation material" in article 14),
points to that definition."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.encoding.lexical import tokenize
from bot.index.chunking import Chunk
from bot.search.glossary import contains_phrase

DEFINITIONS_ARTICLE = 2
_DEFINES = re.compile(r" shall (mean|include)\b")
DEFINITION_INTENT = re.compile(
    r"\b(defin\w*|meaning|means|mean|what is an?|what are|what counts as|what is meant)\b",
    re.IGNORECASE,
)


class DefinedTerms:
    """Every “quoted term” that the Convention defines ("“X” shall mean", "the term “X” shall
    include"), stemmed, with the unit that defines it."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        terms = []
        for index, chunk in enumerate(chunks):
            if chunk.kind != "paragraph":
                continue
            for line in chunk.text.split("\n"):
                defines = _DEFINES.search(line)
                if defines:
                    terms.extend(
                        (tuple(tokenize(name)), index)
                        for term in re.findall(r"“([^”]+)”", line[: defines.start()])
                        for name in (term, *term.split(" or "))  # "X or Y": each on its own
                    )
        self._terms = [(term, unit) for term, unit in terms if term]

    def units_asked_for(self, question: str, tokens: Sequence[str]) -> list[int]:
        """Units defining a term the question asks the meaning of."""
        if not DEFINITION_INTENT.search(question):
            return []
        return [unit for term, unit in self._terms if contains_phrase(tokens, term)]
