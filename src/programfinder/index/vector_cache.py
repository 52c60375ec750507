"""Vectors computed before, found again by the exact token sequence they were computed from.

Reading a record's meaning is the slow part of a build (tens of milliseconds a passage on a CPU),
and most of a corpus is the same from one build to the next: a record edited, a few added. So
every vector is kept under a 64-bit key of its token ids (and the model), in a file in the index
cache, and a rebuild computes only what is new. The package ships such a file for its own
corpus (``data/shipped-corpus-vectors.npz``, made by ``scripts/embed_shipped_corpus.py``), so the
first search on a fresh install does not spend half a minute reading 254 records.

Files are plain ``.npz`` arrays (sorted ``keys``, float16 ``vectors``), read with pickles refused.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import CacheError
from ..language.embedding import DIMENSIONS, MODEL_ID
from .storage import load_npz, save_npz

SHIPPED_VECTORS = Path(__file__).resolve().parents[1] / "data" / "shipped-corpus-vectors.npz"
#: A cache file holds at most this many vectors (768 bytes each): about 150 MB.
MAX_CACHED_VECTORS = 200_000
_SALT = MODEL_ID.encode("utf-8")


def sequence_key(ids: Sequence[int]) -> int:
    """The 64-bit key of a model-ready token sequence (and of the model that reads it)."""
    digest = hashlib.blake2b(np.asarray(ids, dtype=np.int32).tobytes(), digest_size=8, key=_SALT)
    return int.from_bytes(digest.digest(), "little")


def cache_file(root: Path) -> Path:
    """Where the vectors computed on this machine are kept, beside the cached indexes."""
    return root / f"vectors-{MODEL_ID}.npz"


class VectorCache:
    """Vectors by sequence key, from any number of files read at once (later files win)."""

    def __init__(self, files: Sequence[Path] = ()) -> None:
        keys: list[np.ndarray] = []
        vectors: list[np.ndarray] = []
        for path in files:
            if not path.is_file():
                continue
            try:
                arrays = load_npz(path, mmap=False)
            except (OSError, ValueError, KeyError, CacheError):
                continue  # a damaged cache only costs time: its vectors are computed again
            if arrays.get("vectors") is None or arrays["vectors"].shape[1:] != (DIMENSIONS,):
                continue
            keys.append(arrays["keys"].astype(np.uint64))
            vectors.append(arrays["vectors"].astype(np.float16))
        self._keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        self._vectors = (
            np.concatenate(vectors) if vectors else np.zeros((0, DIMENSIONS), dtype=np.float16)
        )
        self._sort()
        self._new_keys: list[np.ndarray] = []
        self._new_vectors: list[np.ndarray] = []
        self._added: set[int] = set()

    def _sort(self) -> None:
        # the last of equal keys wins: a stable sort, then keep each key's last occurrence
        order = np.argsort(self._keys, kind="stable")
        keys, vectors = self._keys[order], self._vectors[order]
        last = np.ones(len(keys), dtype=bool)
        last[:-1] = keys[1:] != keys[:-1]
        self._keys, self._vectors = keys[last], vectors[last]

    def __len__(self) -> int:
        return len(self._keys)

    def contains(self, key: int) -> bool:
        """True when the vector of ``key`` is known (from a file or added since)."""
        if key in self._added:
            return True
        at = int(np.searchsorted(self._keys, np.uint64(key)))
        return at < len(self._keys) and int(self._keys[at]) == key

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``keys`` are known, and their vectors (float16; zeros where unknown)."""
        found = np.zeros(len(keys), dtype=bool)
        vectors = np.zeros((len(keys), DIMENSIONS), dtype=np.float16)
        if len(self._keys) and len(keys):
            at = np.minimum(np.searchsorted(self._keys, keys), len(self._keys) - 1)
            found = self._keys[at] == keys
            vectors[found] = self._vectors[at[found]]
        return found, vectors

    def vectors(
        self,
        keys: np.ndarray,
        sequence_of: Callable[[int], Sequence[int]],
        encode: Callable[[list[Sequence[int]]], np.ndarray],
        progress: Callable[[int, int, float | None], None] | None = None,
        chunk: int = 64,
    ) -> np.ndarray:
        """The vectors (float16) of ``keys``: known ones looked up, the others computed with
        ``encode`` from ``sequence_of(position)``, ``chunk`` at a time, and remembered.
        ``progress`` hears (done, to compute, seconds left by the pace so far)."""
        found, vectors = self.lookup(keys)
        missing = np.flatnonzero(~found)
        started = time.perf_counter()
        for start in range(0, len(missing), chunk):
            if progress is not None:
                elapsed = time.perf_counter() - started
                progress(
                    start, len(missing), elapsed / start * (len(missing) - start) if start else None
                )
            part = missing[start : start + chunk]
            computed = encode([sequence_of(int(i)) for i in part])
            vectors[part] = computed.astype(np.float16)
            self.add(keys[part], computed)
        if progress is not None:
            progress(len(missing), len(missing), 0.0)
        return vectors

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Remember newly computed vectors (kept in memory until ``save``)."""
        self._new_keys.append(np.asarray(keys, dtype=np.uint64))
        self._new_vectors.append(np.asarray(vectors, dtype=np.float16))
        self._added.update(int(k) for k in keys)

    def save(self, path: Path, keep: np.ndarray | None = None) -> None:
        """Write the known vectors (only those of ``keep`` keys, when given) to ``path`` in one
        step: written under a temporary name, then renamed. A cache over ``MAX_CACHED_VECTORS``
        is not written (the corpus is too large for it to pay)."""
        self._keys = np.concatenate([self._keys, *self._new_keys])
        self._vectors = np.concatenate([self._vectors, *self._new_vectors])
        self._new_keys, self._new_vectors = [], []
        self._sort()
        keys, vectors = self._keys, self._vectors
        if keep is not None:
            chosen = np.isin(keys, keep)
            keys, vectors = keys[chosen], vectors[chosen]
        if len(keys) > MAX_CACHED_VECTORS:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-vectors-", suffix=".npz", dir=path.parent)
        os.close(handle)
        try:
            save_npz(Path(temporary), {"keys": keys, "vectors": vectors})
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
