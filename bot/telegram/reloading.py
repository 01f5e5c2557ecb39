"""Picking up a rebuilt index without a restart.

`treaty-build-index` writes a new build and swaps `INDEX_DIR/current` to it in one rename. The
bot compares that build's manifest.json with the one it serves, every few seconds and on
/reload; when they differ it loads the new build in a worker thread (the event loop keeps
answering meanwhile), then swaps the reference. A question already being answered finishes on
the retriever it started with. A build that fails to load (its files do not match their
checksums) is refused, logged once, and the bot keeps serving the build it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.index.store import current_build, read_manifest
from bot.search.results import Answer, ArticleResult
from bot.treaty.model import Treaty

logger = logging.getLogger(__name__)


class TreatyRetriever(Protocol):
    """What the bot needs from retrieval (`bot.search.retriever.Retriever` provides it)."""

    @property
    def treaty(self) -> Treaty: ...

    @property
    def manifest(self) -> dict[str, Any]: ...

    def ask(self, question: str, k: int = 3) -> Answer: ...

    def unit_result(
        self, number: int, paragraph: str | None, subparagraph: str | None
    ) -> ArticleResult | None: ...


@dataclass(frozen=True)
class ReloadResult:
    build: str  # the build served after the attempt
    reloaded: bool
    refused: str | None = None  # why a new build was not loaded


class IndexReloader:
    """Holds the live retriever and replaces it when `INDEX_DIR/current` moves to a new build."""

    def __init__(
        self,
        retriever: TreatyRetriever,
        load: Callable[[], TreatyRetriever],
        index_dir: Path,
        interval_s: float,
    ) -> None:
        self.retriever = retriever
        self._load = load
        self._index_dir = index_dir
        self._interval_s = interval_s
        self._build = self._current_name()
        self._refused: dict[str, Any] | None = None
        self._lock = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None

    @property
    def build(self) -> str:
        """The build folder served (as `current` named it when it was loaded)."""
        return self._build

    def _current_name(self) -> str:
        build_dir = current_build(self._index_dir)
        return build_dir.name if build_dir else "unknown"

    def _waiting_manifest(self) -> dict[str, Any] | None:
        """The manifest behind `current`, when it is not the one being served."""
        build_dir = current_build(self._index_dir)
        manifest = read_manifest(build_dir) if build_dir else None
        return manifest if manifest and manifest != self.retriever.manifest else None

    async def reload(self, retry_refused: bool = False) -> ReloadResult:
        """Load the build behind `current` if it is new; a refused build is tried again only
        when asked (/reload)."""
        async with self._lock:
            manifest = self._waiting_manifest()
            if manifest is None or (manifest == self._refused and not retry_refused):
                return ReloadResult(self._build, reloaded=False)
            name = self._current_name()  # before loading: a later swap is seen next time
            try:
                retriever = await asyncio.to_thread(self._load)
            except Exception as error:  # whatever keeps a build from loading, keep the old one
                if manifest != self._refused:
                    logger.error("Kept serving build %s; the new index was refused: %s",
                                 self._build, error)
                self._refused = manifest
                return ReloadResult(self._build, reloaded=False, refused=str(error))
            self.retriever, self._build, self._refused = retriever, name, None
            logger.info("Now serving index build %s", name)
            return ReloadResult(name, reloaded=True)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self.reload()
            except OSError as error:  # e.g. INDEX_DIR briefly unreadable: look again later
                logger.warning("Could not check the index for a new build: %s", error)

    def start(self) -> None:
        """Check for new builds every `interval_s` seconds (never, if it is 0)."""
        if self._interval_s > 0 and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(), name="index watcher")

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
