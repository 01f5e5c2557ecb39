"""Search over the instruments beside the Convention: the resolution's paragraphs and the
Budapest Convention's. Each provision (an operative or preambular paragraph of the resolution, a
Budapest article) is ranked by reciprocal rank fusion of its best dense unit and its best BM25
unit, and quotes the unit where both agree most."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.index.store import Instruments
from bot.search import fusion
from bot.search.dense import similarities
from bot.treaty.layout import BUDAPEST_ID, RESOLUTION_ID


@dataclass(frozen=True)
class Hit:
    unit: int  # index into the units
    provision: str  # "resolution:5", "resolution:preamble:2", "budapest:16"
    score: float  # fused
    cosine: float  # the provision's best cosine similarity in the judging space


class InstrumentSearch:
    def __init__(self, instruments: Instruments) -> None:
        self.instruments = instruments
        self.units = instruments.units
        self._documents = np.array([u.document for u in self.units])
        self._provisions = [
            u.ref if u.document == BUDAPEST_ID or u.paragraph else f"{u.ref}:{u.position}"
            for u in self.units
        ]

    @property
    def documents(self) -> set[str]:
        return {
            document
            for document, loaded in ((RESOLUTION_ID, self.instruments.resolution),
                                     (BUDAPEST_ID, self.instruments.budapest))
            if loaded is not None
        }

    def search(
        self, document: str, vectors: dict[str, np.ndarray], tokens: list[str], judge: str
    ) -> list[Hit]:
        """`document`'s provisions for a question (its vector in each space, its BM25 tokens),
        best first; `judge` is the space that decides ("dense" for English)."""
        if document not in self.documents:
            return []
        multilingual = judge == "multilingual" and self.instruments.multilingual_vectors is not None
        index = self.instruments.multilingual_vectors if multilingual else self.instruments.vectors
        vector = vectors.get("multilingual" if multilingual else "dense")
        if vector is None or index is None or self.instruments.lexical is None:
            return []
        in_document = self._documents == document
        dense = np.where(in_document, similarities(index, vector), -np.inf)
        lexical = np.where(in_document, self.instruments.lexical.scores(tokens), 0.0)
        best_dense = self._best_per_provision(dense, in_document)
        best_lexical = self._best_per_provision(lexical, in_document)
        fused: dict[str, float] = {}
        for ranking in (best_dense, best_lexical):
            positive = [p for p, (score, _) in ranking.items()
                        if score > 0 or ranking is best_dense]
            ordered = sorted(positive, key=lambda p: -ranking[p][0])
            for rank, provision in enumerate(ordered):
                fused[provision] = fused.get(provision, 0.0) + 1.0 / (fusion.RRF_K + rank + 1)
        top = lexical.max() if lexical.size else 0.0
        quoted = np.where(
            in_document, dense / max(float(dense[in_document].max()), 1e-6)
            + (lexical / top if top > 0 else 0.0), -np.inf
        )
        hits = []
        for provision in sorted(fused, key=lambda p: -fused[p]):
            units = [i for i in np.flatnonzero(in_document) if self._provisions[i] == provision]
            unit = max(units, key=lambda i: quoted[i])
            hits.append(Hit(int(unit), provision, fused[provision], best_dense[provision][0]))
        return hits

    def _best_per_provision(
        self, scores: np.ndarray, in_document: np.ndarray
    ) -> dict[str, tuple[float, int]]:
        best: dict[str, tuple[float, int]] = {}
        for index in np.flatnonzero(in_document):
            provision = self._provisions[index]
            if provision not in best or scores[index] > best[provision][0]:
                best[provision] = (float(scores[index]), int(index))
        return best
