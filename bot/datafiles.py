"""Reading the TOML files people maintain: treaty_text/ (glossary, scope catalogue, cues,
concordance, …), the UI wording and the follow-up patterns.

rtoml (Rust) rather than the standard library's tomllib (pure Python): a cold `treaty-ask`
reads six of these files, 45 ms with tomllib and 3 ms with rtoml, for the same values. A
mistake in a file stops with the file's name and the place, where the maintainer can fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rtoml

from bot.errors import TreatyBotError


class DataFileError(TreatyBotError, ValueError):
    """A maintained data file is missing or is not valid TOML; the message names it."""


def read_toml(path: Path, *, optional: bool = False) -> dict[str, Any]:
    """The file's tables; `optional`: an absent file reads as empty (a part left out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if optional:
            return {}
        raise DataFileError(f"{path} is missing: restore it from the repository "
                            "(`git checkout -- <file>`).") from None
    try:
        return rtoml.loads(text)
    except rtoml.TomlParsingError as error:
        raise DataFileError(f"{path} is not valid TOML ({error}): fix the file there.") from None
