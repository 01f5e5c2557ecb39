"""Every error the project raises on purpose derives from `TreatyBotError`, which the
command-line tools catch to print its message as one line."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import bot
from bot.errors import TreatyBotError


def project_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        module = importlib.import_module(info.name)
        found += [
            cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, BaseException) and cls.__module__ == info.name
        ]
    return found


def test_every_project_error_derives_from_the_base() -> None:
    errors = project_exceptions()
    names = {cls.__name__ for cls in errors}
    assert {"SourceError", "TreatyFormatError", "PdfTextError", "IndexBuildError",
            "IndexNotReady", "EncoderUnavailable"} <= names
    assert [cls.__name__ for cls in errors if not issubclass(cls, TreatyBotError)] == []
