"""Reading meaning: the sentence-embedding model that turns a text into a 384-number vector, so that
texts which say the same thing in other words lie close together.

The model (all-MiniLM-L6-v2 with int8 weights, Apache-2.0) and its tokenizer ship in
``programfinder/data/model/`` (see the README there); both files' sha256 are checked before they are
loaded, and nothing is downloaded. It runs on ``onnxruntime`` with ``tokenizers``, imported only
when a text is first encoded, so commands that never need meaning never pay for them.

A vector is the mean of the model's token vectors, scaled to unit length (as sentence-transformers
does for this model), so the dot product of two vectors is their cosine. A text longer than
``MAX_TOKENS`` is read in overlapping windows (``encode_windows``); ``encode`` reads its first.

Example:
    >>> encoder = shared_encoder()  # doctest: +SKIP
    >>> a, b = encoder.encode(["drunks asking for spare change", "aggressive begging"])  # doctest: +SKIP
    >>> float(a @ b) > 0.5  # doctest: +SKIP
    True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelError

MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "model"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
#: Names the model in an index's settings: vectors of another model are never mixed with these.
MODEL_ID = f"all-MiniLM-L6-v2-int8-{MODEL_SHA256[:12]}"
DIMENSIONS = 384
#: The longest sequence the model reads at once ([CLS] and [SEP] included), as it was trained.
MAX_TOKENS = 256
#: Consecutive windows of a long text start this many tokens apart (62 tokens overlap).
WINDOW_STRIDE = 192
#: Sequences run through the model together; more costs memory and gains nothing on a CPU.
BATCH_SIZE = 8


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model_files(folder: Path = MODEL_DIR) -> tuple[Path, Path]:
    """The model and tokenizer files, after checking that both are there and unchanged."""
    found = []
    for name, expected in ((MODEL_FILE, MODEL_SHA256), (TOKENIZER_FILE, TOKENIZER_SHA256)):
        path = folder / name
        if not path.is_file():
            raise ModelError(
                f"The meaning model file {path} is missing. Reinstall programfinder "
                "(pip install --force-reinstall programfinder) to restore it."
            )
        actual = sha256_of(path)
        if actual != expected:
            raise ModelError(
                f"The meaning model file {path} is damaged or was replaced (sha256 {actual[:16]}..., "
                f"expected {expected[:16]}...); it was not loaded. Reinstall programfinder "
                "(pip install --force-reinstall programfinder) to restore it."
            )
        found.append(path)
    return found[0], found[1]


def window_starts(length: int, body: int, stride: int = WINDOW_STRIDE) -> list[int]:
    """Where the windows of ``body`` tokens over ``length`` tokens start: ``stride`` apart, the
    last one flush with the end, so that every token is read and no window is short."""
    if length <= body:
        return [0]
    starts = list(range(0, length - body, stride))
    starts.append(length - body)
    return starts


class TextEncoder:
    """The model, loaded once, with its tokenizer: texts in, unit vectors out.

    ``threads`` is how many cores one encoding may use (default: all, for building an index; a
    short query gains nothing from more than one).
    """

    def __init__(
        self, folder: Path = MODEL_DIR, *, threads: int | None = None, optimize: bool = True
    ) -> None:
        model_path, tokenizer_path = check_model_files(folder)
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # a broken install: both are dependencies
            raise ModelError(
                f"Reading meaning needs onnxruntime and tokenizers ({exc}). Reinstall "
                "programfinder: pip install --force-reinstall programfinder"
            ) from exc
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # The file asks for truncation and padding to 128 tokens: windows and batches are made here.
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._cls, self._sep, self._pad = (
            _special_id(tokenizer, token) for token in ("[CLS]", "[SEP]", "[PAD]")
        )
        self._model_path = model_path
        self._threads = max(1, threads or os.cpu_count() or 1)
        self._optimize = optimize
        self._session: Any = None  # loaded on the first encoding: a build whose vectors are all
        self._inputs: set[str] = set()  # cached needs only the tokenizer
        self._output = ""

    def _load_session(self) -> Any:
        try:
            import onnxruntime
        except ImportError as exc:  # a broken install: it is a dependency
            raise ModelError(
                f"Reading meaning needs onnxruntime ({exc}). Reinstall programfinder: "
                "pip install --force-reinstall programfinder"
            ) from exc
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        options.inter_op_num_threads = 1
        # Threads that spin while waiting for work would take a core from the rest of the query.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Optimising the graph takes about 0.3 s and makes each run about a third faster: worth
        # it for a build or a server, not for the one query of a command line.
        options.graph_optimization_level = (
            onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            if self._optimize
            else onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        )
        try:
            session = onnxruntime.InferenceSession(
                str(self._model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own classes for a file it cannot run
            raise ModelError(f"The meaning model could not be loaded: {exc}") from exc
        self._inputs = {i.name for i in session.get_inputs()}
        self._output = session.get_outputs()[0].name
        return session

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's word-piece ids, without [CLS] and [SEP]."""
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [list(e.ids) for e in encodings]

    def windows(self, ids: Sequence[int]) -> list[list[int]]:
        """The model-ready sequences of one text: overlapping windows of ``MAX_TOKENS`` at most."""
        body = MAX_TOKENS - 2
        return [
            [self._cls, *ids[start : start + body], self._sep]
            for start in window_starts(len(ids), body)
        ]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (float32, ``len(texts)`` x ``DIMENSIONS``); a text longer than
        ``MAX_TOKENS`` is read up to there."""
        body = MAX_TOKENS - 2
        return self.encode_sequences(
            [[self._cls, *ids[:body], self._sep] for ids in self.token_ids(texts)]
        )

    def encode_windows(self, text: str, limit: int | None = None) -> np.ndarray:
        """One unit vector per window of ``text`` (see ``windows``), the first ``limit`` only."""
        return self.encode_sequences(self.windows(self.token_ids([text])[0])[:limit])

    def encode_sequences(self, sequences: Sequence[Sequence[int]]) -> np.ndarray:
        """Unit vectors of ready-made sequences ([CLS] ... [SEP]), run in batches of similar
        length so that little time goes on padding."""
        if self._session is None:
            self._session = self._load_session()
        vectors = np.zeros((len(sequences), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            width = max(len(sequences[i]) for i in batch)
            ids = np.full((len(batch), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, : len(sequences[i])] = sequences[i]
                mask[row, : len(sequences[i])] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            tokens = self._session.run([self._output], feed)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            vectors[batch] = pooled / np.maximum(norms, 1e-12)
        return vectors


def _special_id(tokenizer: Any, token: str) -> int:
    number = tokenizer.token_to_id(token)
    if number is None:
        raise ModelError(
            f"The model's tokenizer has no {token} token: the file is not this model's."
        )
    return int(number)


@lru_cache(maxsize=2)
def shared_encoder(threads: int | None = None, optimize: bool = True) -> TextEncoder:
    """The process's one encoder (per thread count): the model is loaded on first use only."""
    return TextEncoder(threads=threads, optimize=optimize)
