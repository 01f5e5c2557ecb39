"""The index's copies of the models give the vectors the models give: the ONNX copy of the
configured model, and the memory-mapped copy of the multilingual one."""

import json
from pathlib import Path

import numpy as np
import pytest

from bot.encoding import encoders as embedding
from bot.encoding.encoders import (
    EncoderUnavailable,
    OnnxQueryEncoder,
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
    return SentenceTransformerEncoder(
        DEFAULT_EMBEDDING_MODEL, resolve_model_path(DEFAULT_EMBEDDING_MODEL)
    )


@pytest.fixture(scope="module")
def exported(reference: SentenceTransformerEncoder, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "query_model"
    assert reference.export_query_model(directory, TEXTS[:2]) is None
    return directory


def with_pooling(reference: SentenceTransformerEncoder, mode: str, folder: Path):
    """The default model with another pooling, saved and loaded like any configured model."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    transformer = reference._model[0]
    SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode=mode)]).save(str(folder))
    return SentenceTransformerEncoder(f"{mode}-pooled", str(folder))


def test_the_copy_and_sentence_transformers_agree(
    reference: SentenceTransformerEncoder, exported: Path
) -> None:
    fast = load_query_encoder(DEFAULT_EMBEDDING_MODEL, exported)
    assert isinstance(fast, OnnxQueryEncoder)
    expected = reference.encode(TEXTS)
    actual = fast.encode(TEXTS)
    assert actual.shape == expected.shape == (len(TEXTS), 384)
    assert np.abs(actual - expected).max() < 1e-5
    assert np.allclose(np.linalg.norm(actual, axis=1), 1.0, atol=1e-5)
    assert fast.encode([]).shape == (0, 384)


def test_the_copy_describes_itself(exported: Path) -> None:
    config = json.loads((exported / embedding.QUERY_MODEL_CONFIG).read_text())
    assert config == {"model": DEFAULT_EMBEDDING_MODEL, "dimension": 384, "max_tokens": 256,
                      "pooling": "mean"}
    assert {p.name for p in exported.iterdir()} == {
        embedding.QUERY_MODEL_FILE, embedding.QUERY_MODEL_WEIGHTS, embedding.QUERY_TOKENIZER,
        embedding.QUERY_MODEL_CONFIG,
    }
    assert (exported / embedding.QUERY_MODEL_WEIGHTS).stat().st_size > 80e6  # not in the graph
    assert (exported / embedding.QUERY_MODEL_FILE).stat().st_size < 1e6


def test_cls_pooling_is_copied_too(reference: SentenceTransformerEncoder, tmp_path: Path) -> None:
    model = with_pooling(reference, "cls", tmp_path / "model")
    assert model.export_query_model(tmp_path / "copy", TEXTS) is None
    copy = OnnxQueryEncoder(tmp_path / "copy")
    assert np.abs(copy.encode(TEXTS) - model.encode(TEXTS)).max() < 1e-5
    assert np.abs(copy.encode(TEXTS[:1]) - reference.encode(TEXTS[:1])).max() > 0.01


def test_a_pipeline_it_cannot_copy_is_left_to_sentence_transformers(
    reference: SentenceTransformerEncoder, tmp_path: Path
) -> None:
    model = with_pooling(reference, "max", tmp_path / "model")
    reason = model.export_query_model(tmp_path / "copy", TEXTS)
    assert reason and "mean or CLS pooling" in reason
    assert not (tmp_path / "copy").exists()


def test_a_copy_that_disagrees_is_discarded(
    reference: SentenceTransformerEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding, "EXPORT_TOLERANCE", -1.0)  # any difference at all
    reason = reference.export_query_model(tmp_path / "copy", TEXTS[:1])
    assert reason and "differ" in reason
    assert not (tmp_path / "copy").exists()


def test_without_a_copy_questions_go_through_sentence_transformers() -> None:
    encoder = load_query_encoder(DEFAULT_EMBEDDING_MODEL, None)
    assert isinstance(encoder, SentenceTransformerEncoder)
    assert isinstance(
        load_query_encoder("universal-sentence-encoder-multilingual", None),
        UniversalSentenceEncoder,
    )


def test_a_damaged_copy_says_how_to_fix_it(exported: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "query_model"
    damaged.mkdir()
    (damaged / embedding.QUERY_MODEL_CONFIG).write_bytes(
        (exported / embedding.QUERY_MODEL_CONFIG).read_bytes()
    )
    (damaged / embedding.QUERY_MODEL_FILE).write_bytes(b"not an onnx model")
    with pytest.raises(EncoderUnavailable, match="treaty-build-index --force"):
        OnnxQueryEncoder(damaged)


def test_the_multilingual_encoder_puts_translations_close() -> None:
    encoder = UniversalSentenceEncoder("universal-sentence-encoder-multilingual")
    english, french, unrelated = encoder.encode(
        ["extradition of offenders", "extradition des délinquants", "banana bread recipe"]
    )
    assert english @ french > english @ unrelated + 0.2


# --- The multilingual model's copy -------------------------------------------------------------

MULTILINGUAL = "universal-sentence-encoder-multilingual"
MULTILINGUAL_TEXTS = [
    *TEXTS,
    "¿Quién paga los gastos de una solicitud de asistencia judicial?",
    "Является ли взлом компьютера преступлением?",
    "非法访问计算机系统让网站瘫痪是犯罪吗？",  # 瘫痪: pieces the vocabulary does not know
    "هل الدخول غير المشروع إلى نظام حاسوبي جريمة؟",
    "emoji 😀😀😀 and\ttabs,  double  spaces \u200f and <s> markers",
    "",
]


@pytest.fixture(scope="module")
def packaged() -> UniversalSentenceEncoder:
    return UniversalSentenceEncoder(MULTILINGUAL)


@pytest.fixture(scope="module")
def multilingual_copy(packaged: UniversalSentenceEncoder, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("export") / "multilingual_model"
    assert packaged.export_query_model(directory, MULTILINGUAL_TEXTS[:3]) is None
    return directory


def test_the_multilingual_copy_gives_the_packaged_vectors_to_the_bit(
    packaged: UniversalSentenceEncoder, multilingual_copy: Path
) -> None:
    fast = load_query_encoder(MULTILINGUAL, multilingual_copy)
    assert np.array_equal(fast.encode(MULTILINGUAL_TEXTS), packaged.encode(MULTILINGUAL_TEXTS))
    for text in MULTILINGUAL_TEXTS:  # one at a time, as questions come
        assert np.array_equal(fast.encode([text]), packaged.encode([text])), text


def test_the_multilingual_copy_tokenizes_the_treaty_as_the_package_does(
    packaged: UniversalSentenceEncoder, multilingual_copy: Path, layout_text: str
) -> None:
    from bot.encoding import use_copy

    reference = packaged._model._model.sp
    fast = use_copy.MappedTokenizer(multilingual_copy,
                                    use_copy.read_config(multilingual_copy)["tokenizer"])
    for line in [*layout_text.splitlines(), *MULTILINGUAL_TEXTS]:
        assert fast.encode(line) == reference.encode(line), line


def test_the_multilingual_copy_maps_its_weights(multilingual_copy: Path) -> None:
    """The 65 MB embedding table is read from the file a row at a time, never copied."""
    from bot.encoding import use_copy

    backend = use_copy.MappedBackend(multilingual_copy, use_copy.read_config(multilingual_copy))
    assert backend.table.shape == (128010, 512)
    assert not backend.table.flags.owndata and not backend.table.flags.writeable


def test_a_multilingual_copy_from_another_package_version_says_how_to_fix_it(
    multilingual_copy: Path, tmp_path: Path
) -> None:
    import shutil

    other = tmp_path / "multilingual_model"
    shutil.copytree(multilingual_copy, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "package_version": "0.0.1"}))
    with pytest.raises(EncoderUnavailable, match=r"0\.0\.1.*treaty-build-index --force"):
        UniversalSentenceEncoder(MULTILINGUAL, other)


def test_a_damaged_multilingual_copy_says_how_to_fix_it(
    multilingual_copy: Path, tmp_path: Path
) -> None:
    import shutil

    damaged = tmp_path / "multilingual_model"
    shutil.copytree(multilingual_copy, damaged)
    (damaged / "table.npy").write_bytes(b"not an array")
    with pytest.raises(EncoderUnavailable, match="treaty-build-index --force"):
        UniversalSentenceEncoder(MULTILINGUAL, damaged)


def test_a_multilingual_copy_that_disagrees_is_discarded(
    packaged: UniversalSentenceEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedding, "EXPORT_TOLERANCE", -1.0)  # any difference at all
    reason = packaged.export_query_model(tmp_path / "copy", MULTILINGUAL_TEXTS[:1])
    assert reason and "differ" in reason
    assert not (tmp_path / "copy").exists()


def test_the_sorted_vocabulary_answers_as_the_prefix_dict_does() -> None:
    """None: no piece starts so; 0: a prefix of pieces only; else the piece's id + 1."""
    from array import array

    from bot.encoding.use_copy import _SortedVocabulary

    pieces = ["▁a", "▁ab", "▁abc", "▁b", "▁bcd"]
    vocabulary = _SortedVocabulary(pieces, array("i", [7, 3, 9, 0, 4]))
    expected = {"▁a": 8, "▁ab": 4, "▁abc": 10, "▁b": 1, "▁bc": 0, "▁bcd": 5, "▁": 0,
                "▁abd": None, "▁c": None, "▁bcde": None, "z": None}
    assert {text: vocabulary.get(text) for text in expected} == expected
