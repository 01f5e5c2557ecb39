"""Search aids (`treaty_text/search_aids.toml`): each article's heading and everyday search
phrases in Arabic, Chinese, French, Russian and Spanish.

A multilingual encoder matches a question far better against text in the question's own
language than against the English treaty, so questions in those languages are also compared
with these phrases. They are our own unofficial translations, used only for matching: the bot
never shows them, and it quotes only the English authentic text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from bot.source import TREATY_TEXT_DIR

SEARCH_AIDS_FILE = TREATY_TEXT_DIR / "search_aids.toml"
AID_LANGUAGES = ("ar", "zh", "fr", "es", "ru")
_SNOWBALL = {"ar": "arabic", "fr": "french", "es": "spanish", "ru": "russian"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


@dataclass(frozen=True)
class SearchAid:
    article: int
    lang: str
    text: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_search_aids() -> list[SearchAid]:
    if not SEARCH_AIDS_FILE.is_file():
        return []
    data = tomllib.loads(SEARCH_AIDS_FILE.read_text(encoding="utf-8"))
    return [
        SearchAid(entry["number"], lang, text)
        for entry in data.get("article", [])
        for lang in AID_LANGUAGES
        for text in entry.get(lang, [])
    ]


def aid_tokens(text: str, lang: str) -> list[str]:
    """Words stemmed with the language's Snowball stemmer; for Chinese, which has no spaces,
    characters and character pairs. Tokens carry the language, so languages never mix."""
    if lang == "zh":
        tokens = []
        for run in _HAN.findall(text):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    else:
        stemmer = _stemmer(lang)
        tokens = [stemmer.stemWord(w) for w in re.findall(r"\w+", text.lower()) if len(w) > 2]
    return [f"{lang}:{token}" for token in tokens]


@lru_cache(maxsize=len(_SNOWBALL))
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer(_SNOWBALL[lang])


class AidLexicon:
    """BM25 over the search aids, so a question that uses an aid's very words ("выдача",
    "引渡") finds it even where the multilingual encoder is distracted by other words."""

    def __init__(self, aids: list[SearchAid]) -> None:
        import bm25s

        self._bm25 = bm25s.BM25()
        self._bm25.index([aid_tokens(a.text, a.lang) or [""] for a in aids], show_progress=False)

    def scores(self, question: str, lang: str) -> np.ndarray:
        known = [t for t in aid_tokens(question, lang) if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
