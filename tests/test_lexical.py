"""The BM25 words and scores questions get without bm25s are bm25s's own, on the real treaty."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest
import Stemmer

from bot.encoding.bm25 import Bm25
from bot.encoding.lexical import STOPWORDS_EN, WORD, aid_tokens, tokenize
from bot.index.search_aids import load_search_aids

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def paragraphs(layout_text: str) -> list[str]:
    return [line for line in layout_text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for name in ("questions_en.jsonl", "questions_multilingual.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_stop_words_are_bm25s_english_ones() -> None:
    assert set(bm25s.stopwords.STOPWORDS_EN) == STOPWORDS_EN


def test_words_are_those_bm25s_s_tokenizer_gives(paragraphs: list[str]) -> None:
    reference = bm25s.tokenization.Tokenizer(
        stopwords="en", stemmer=Stemmer.Stemmer("english"), splitter=WORD.pattern
    )
    for text in paragraphs:
        expected = [reference.stemmer(w) for w in reference.splitter(text.lower())
                    if w not in reference.stopwords]
        assert tokenize(text) == expected


def test_scores_are_bm25s_scores_to_the_bit(
    paragraphs: list[str], questions: list[str], tmp_path: Path
) -> None:
    documents = [tokenize(text) for text in paragraphs]
    reference = bm25s.BM25()
    reference.index([d or [""] for d in documents], show_progress=False)
    Bm25.build(documents).save(tmp_path / "bm25")
    loaded = Bm25.load(tmp_path / "bm25")
    asked = 0
    for question in [*questions, "article article article 7", "xyzzy"]:
        tokens = tokenize(question)
        known = [t for t in tokens if t in reference.vocab_dict]
        expected = (reference.get_scores(known) if known
                    else np.zeros(len(documents), dtype=np.float32))
        assert np.array_equal(loaded.scores(tokens), expected), question
        asked += bool(known)
    assert asked > 100


BUILD_SMALL = """
import sys
from pathlib import Path
from bot.encoding.bm25 import Bm25
docs = [["zeta", "alpha", "mu"], ["alpha", "omega"], ["mu", "mu", "kappa"], []]
Bm25.build(docs).save(Path(sys.argv[1]))
"""


def test_a_build_writes_the_same_files_whatever_python_s_hash_seed(tmp_path: Path) -> None:
    """bm25s numbers tokens in set order; the saved columns are in sorted token order."""
    written = []
    for seed in ("1", "2", "3"):
        folder = tmp_path / f"seed{seed}"
        subprocess.run([sys.executable, "-c", BUILD_SMALL, str(folder)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        written.append({f.name: f.read_bytes() for f in sorted(folder.iterdir())})
    assert written[0] == written[1] == written[2]
    tokens = json.loads(written[0]["vocabulary.json"])["tokens"]
    assert list(tokens) == sorted(tokens) and list(tokens.values()) == list(range(len(tokens)))


def test_aids_are_matched_in_their_own_language_only() -> None:
    aids = load_search_aids()
    words = Bm25.build([aid_tokens(a.text, a.lang) for a in aids])
    french = words.scores(aid_tokens("extradition des délinquants", "fr"))
    assert {aids[i].lang for i in np.flatnonzero(french)} == {"fr"}
    assert aids[int(french.argmax())].article == 37  # Extradition


def test_questions_never_import_bm25s_or_scipy(index_settings) -> None:
    """Importing bm25s imports scipy.sparse, a fifth of a cold start."""
    script = (
        "import sys\n"
        "from bot.search.retriever import Retriever\n"
        "from bot.settings import Settings\n"
        f"Retriever.load(Settings(_env_file=None, index_dir={str(index_settings.index_dir)!r}))"
        ".ask('¿Quién paga una solicitud de asistencia?')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('bm25s', 'scipy')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300, check=True)
    assert re.fullmatch(r"\[\]\s*", result.stdout), result.stdout
