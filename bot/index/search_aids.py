"""Search aids (`treaty_text/search_aids.toml`): each article's heading and everyday search
phrases in Arabic, Chinese, French, Russian and Spanish, as records the build embeds into the
index. They are our own unofficial translations, used only for matching (`bot.search.aids`):
the bot never shows them, and it quotes only the English authentic text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.datafiles import read_toml
from bot.settings import TREATY_TEXT_DIR

SEARCH_AIDS_FILE = TREATY_TEXT_DIR / "search_aids.toml"
AID_LANGUAGES = ("ar", "zh", "fr", "es", "ru")


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
