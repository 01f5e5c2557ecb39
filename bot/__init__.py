"""treaty-bot: retrieval-only answers from the UN Convention against Cybercrime, quoted verbatim.

Layers, each importing only from those above it in this list:
    bot.errors, bot.settings, bot.datafiles   the error base, the one settings class, and
                   reading the TOML files people maintain
    bot.treaty     the typed model, the parser and its validation, citations, references
    bot.source     obtaining the text: file, URL, official PDF (cached, sha256), PDF reader
    bot.encoding   sentence encoders, the BM25 tokenizer and scoring (build and query time)
    bot.index      chunking, the on-disk store (manifest, checksums, atomic swap), the build
    bot.search     signals, fusion, results, the Retriever, evaluation
    bot.cli, bot.telegram   the interfaces

For maintainers' own scripts:
    from bot import load_retriever
    answer = load_retriever().ask("Is hacking a crime?", k=3)
    print(answer.to_json())      # what `treaty-ask --json` prints
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# Before anything imports NumPy: its OpenBLAS starts a thread per core at import, which costs
# ~0.1 s of every cold start on our 2-core machines, and nothing here runs BLAS on more than
# one thread (the multilingual model runs with one; FAISS and ONNX Runtime have their own).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# Before pydantic builds the settings' validators: it would look for plugins in the metadata of
# every installed distribution (~20 ms of each start), and the project uses none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

if TYPE_CHECKING:
    from bot.search.retriever import Retriever
    from bot.settings import Settings

__all__ = ["load_retriever"]


def load_retriever(settings: Settings | None = None) -> Retriever:
    """The retriever over the built index (`INDEX_DIR`), with settings from the environment and
    `.env` unless given. Raises `bot.index.store.IndexNotReady` (a `TreatyBotError`) when there
    is no usable index."""
    from bot.search.retriever import Retriever
    from bot.settings import Settings

    return Retriever.load(settings or Settings())
