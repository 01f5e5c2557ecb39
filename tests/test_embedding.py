"""The NumPy query encoder gives the vectors sentence-transformers gives for the same model."""

import numpy as np
import pytest

from bot.embedding import (
    NumpyBertEncoder,
    SentenceTransformerEncoder,
    UniversalSentenceEncoder,
    load_query_encoder,
    resolve_model_path,
)
from bot.settings import DEFAULT_EMBEDDING_MODEL

TEXTS = [
    "Is unauthorized access to a computer system an offence?",
    "art. 17",
    "x",
    "Each State Party shall adopt such legislative and other measures as may be necessary "
    "to establish as criminal offences under its domestic law " * 12,  # beyond 256 tokens
    "Quelle est la procédure d'extradition ?",
]


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEncoder:
    path = resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    return SentenceTransformerEncoder(DEFAULT_EMBEDDING_MODEL, path)


def test_the_default_model_gets_the_numpy_encoder() -> None:
    assert isinstance(load_query_encoder(DEFAULT_EMBEDDING_MODEL), NumpyBertEncoder)


def test_numpy_and_sentence_transformers_agree(reference: SentenceTransformerEncoder) -> None:
    fast = load_query_encoder(DEFAULT_EMBEDDING_MODEL)
    expected = reference.encode(TEXTS)
    batched = fast.encode(TEXTS)
    one_by_one = np.vstack([fast.encode([text]) for text in TEXTS])
    for actual in (batched, one_by_one):
        assert actual.shape == expected.shape == (len(TEXTS), 384)
        assert np.abs(actual - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_token_counts_agree(reference: SentenceTransformerEncoder) -> None:
    fast = load_query_encoder(DEFAULT_EMBEDDING_MODEL)
    assert [fast.count_tokens(t) for t in TEXTS] == [reference.count_tokens(t) for t in TEXTS]


def test_the_multilingual_encoder_puts_translations_close() -> None:
    encoder = UniversalSentenceEncoder("universal-sentence-encoder-multilingual")
    english, french, unrelated = encoder.encode(
        ["extradition of offenders", "extradition des délinquants", "banana bread recipe"]
    )
    assert english @ french > english @ unrelated + 0.2
