"""On-disk pieces of an index: memory-mapped ``.npz`` arrays, sorted string tables, records
stored as JSON lines compressed in small blocks.

Nothing here unpickles: arrays are read with ``allow_pickle`` off (object arrays are refused)
and records are JSON lines. A large index is memory-mapped, so opening it costs milliseconds
and only the pages a query touches are read.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from ..errors import CacheError

# Arrays larger than this are checked by size and by hashing their first and last megabyte;
# hashing every byte of a multi-gigabyte index on each query would cost seconds.
FULL_CHECKSUM_BYTES = 64 << 20


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` (so that it can be memory-mapped)."""
    for name, array in arrays.items():
        if array.dtype == object:
            raise ValueError(f"array {name!r} has dtype object, which cannot be stored safely")
    with path.open("wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy's stub mistypes **kwds


def load_npz(path: Path, *, mmap: bool = True) -> dict[str, np.ndarray]:
    """Read every array of an uncompressed ``.npz``; memory-mapped when ``mmap``.

    Raises ``CacheError`` for a file that is not such an archive or holds object arrays.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise CacheError(f"{path}: not a readable array archive ({exc})") from exc
    arrays: dict[str, np.ndarray] = {}
    with path.open("rb") as handle:
        for member in members:
            if not member.filename.endswith(".npy"):
                continue
            name = member.filename[:-4]
            if member.compress_type != zipfile.ZIP_STORED:
                raise CacheError(f"{path}: array {name} is compressed; rebuild the index")
            handle.seek(member.header_offset)
            local = handle.read(30)
            if len(local) < 30 or local[:4] != b"PK\x03\x04":
                raise CacheError(f"{path}: damaged archive entry {name}")
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            handle.seek(member.header_offset + 30 + name_length + extra_length)
            try:
                version = np.lib.format.read_magic(handle)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
                else:
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            except ValueError as exc:
                raise CacheError(f"{path}: damaged array header for {name} ({exc})") from exc
            if dtype.hasobject:
                raise CacheError(f"{path}: array {name} holds Python objects; refusing to load it")
            offset = handle.tell()
            count = int(np.prod(shape)) if shape else 1
            if (
                offset + count * dtype.itemsize
                > member.header_offset + 30 + name_length + extra_length + member.file_size
            ):
                raise CacheError(f"{path}: array {name} is truncated")
            order: Literal["C", "F"] = "F" if fortran else "C"
            if count == 0:
                arrays[name] = np.zeros(shape, dtype=dtype)
            elif mmap:
                arrays[name] = np.memmap(
                    path, dtype=dtype, mode="r", offset=offset, shape=tuple(shape), order=order
                )
            else:
                handle.seek(offset)
                data = np.fromfile(handle, dtype=dtype, count=count)
                arrays[name] = data.reshape(tuple(shape), order=order)
    return arrays


def file_fingerprint(path: Path) -> str:
    """A checksum of a file: every byte up to 64 MB, else its size and first and last megabyte."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        if size <= FULL_CHECKSUM_BYTES:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        else:
            digest.update(handle.read(1 << 20))
            handle.seek(size - (1 << 20))
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()


def pack_strings(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 blob and offsets (n + 1) of ``strings``, in the given order."""
    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.zeros(0, np.uint8)
    return blob, offsets


class StringTable(Sequence[str]):
    """Strings of any length stored as a UTF-8 blob with offsets (read by position)."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        self._blob = blob
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _bytes(self, position: int) -> bytes:
        return bytes(self._blob[self._offsets[position] : self._offsets[position + 1]])

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> list[str]: ...
    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._bytes(position).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        for position in range(len(self)):
            yield self[position]


def sorted_keys(strings: Sequence[str]) -> np.ndarray:
    """``strings`` as a sorted fixed-width byte array (``S<n>``), for ``SortedKeys``."""
    encoded = sorted(s.encode("utf-8") for s in strings)
    width = max((len(b) for b in encoded), default=1) or 1
    return np.array(encoded, dtype=f"S{width}")


class SortedKeys(Sequence[str]):
    """A sorted table of strings in a fixed-width byte array: ``lookup`` and ``lookup_many``
    find positions with numpy's binary search (in C, and many at once)."""

    def __init__(self, keys: np.ndarray) -> None:
        self._keys = keys
        self._width = keys.dtype.itemsize

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, position: int) -> str: ...
    @overload
    def __getitem__(self, position: slice) -> list[str]: ...
    def __getitem__(self, position: int | slice) -> str | list[str]:
        if isinstance(position, slice):
            return [bytes(k).decode("utf-8") for k in self._keys[position]]
        return bytes(self._keys[position]).decode("utf-8")

    def lookup_many(self, values: Sequence[str]) -> np.ndarray:
        """Position of each value, or -1 where it is not in the table."""
        if not len(self._keys) or not values:
            return np.full(len(values), -1, dtype=np.int64)
        encoded = [v.encode("utf-8") for v in values]
        fits = np.array([0 < len(b) <= self._width for b in encoded])
        wanted = np.array(
            [b if ok else b"" for b, ok in zip(encoded, fits, strict=True)], dtype=self._keys.dtype
        )
        positions = np.searchsorted(self._keys, wanted)
        inside = positions < len(self._keys)
        found = np.zeros(len(values), dtype=bool)
        found[inside] = self._keys[positions[inside]] == wanted[inside]
        return np.where(found & fits, positions, -1)

    def lookup(self, value: str) -> int | None:
        """The position of ``value``, or None."""
        position = int(self.lookup_many([value])[0])
        return None if position < 0 else position

    def __iter__(self) -> Iterator[str]:
        for key in self._keys:
            yield bytes(key).decode("utf-8")


class CompressedRecordWriter:
    """Writes records as JSON lines compressed (zlib) in blocks of ``per_block`` records, so
    that one record is read by inflating a few kilobytes; ``block_offsets`` says where each block
    starts (and, last, where the file ends)."""

    def __init__(self, path: Path, per_block: int) -> None:
        self._handle = path.open("wb")
        self._per_block = per_block
        self._pending: list[bytes] = []
        self.block_offsets: list[int] = [0]

    def add(self, line: bytes) -> None:
        self._pending.append(line)
        if len(self._pending) == self._per_block:
            self._flush()

    def add_compressed(self, blocks: Sequence[bytes]) -> None:
        """Blocks already compressed elsewhere (by a worker process), in order."""
        if self._pending:
            raise ValueError("cannot add compressed blocks after a partial block")
        for block in blocks:
            self._handle.write(block)
            self.block_offsets.append(self.block_offsets[-1] + len(block))

    def _flush(self) -> None:
        if not self._pending:
            return
        self.add_compressed([compress_block(self._pending)])
        self._pending = []

    def close(self) -> None:
        self._flush()
        self._handle.close()

    def __enter__(self) -> CompressedRecordWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def compress_block(lines: Sequence[bytes]) -> bytes:
    """One block of the records file: its JSON lines, joined and compressed (level 1: a
    quarter of the time of the default level for about 15% more bytes on the benchmark's
    records; the build compresses every record, a search inflates a few blocks)."""
    return zlib.compress(b"".join(lines), 1)


class CompressedRecordStore(Sequence[Any]):
    """Records kept in blocks of compressed JSON lines, read one block at a time (the last few
    blocks read are kept, and so is every record once decoded)."""

    def __init__(
        self,
        path: Path,
        block_offsets: np.ndarray,
        count: int,
        per_block: int,
        decode: Callable[[dict[str, Any]], Any],
    ) -> None:
        self._path = path
        self._offsets = block_offsets
        self._count = count
        self._per_block = per_block
        self._decode = decode
        self._cache: dict[int, Any] = {}
        self._blocks: dict[int, list[bytes]] = {}
        self._handle: Any = None
        if len(block_offsets) - 1 != -(-count // per_block):
            raise CacheError(f"{path}: the record blocks do not match the record count")

    def __len__(self) -> int:
        return self._count

    def _lines(self, block: int) -> list[bytes]:
        lines = self._blocks.get(block)
        if lines is not None:
            return lines
        if self._handle is None:
            self._handle = self._path.open("rb")
        start, end = int(self._offsets[block]), int(self._offsets[block + 1])
        self._handle.seek(start)
        try:
            lines = zlib.decompress(self._handle.read(end - start)).split(b"\n")[:-1]
        except zlib.error as exc:
            raise CacheError(f"{self._path}: record block {block} is damaged ({exc})") from exc
        if len(self._blocks) >= 64:
            self._blocks.pop(next(iter(self._blocks)))
        self._blocks[block] = lines
        return lines

    @overload
    def __getitem__(self, position: int) -> Any: ...
    @overload
    def __getitem__(self, position: slice) -> list[Any]: ...
    def __getitem__(self, position: int | slice) -> Any:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        cached = self._cache.get(position)
        if cached is not None:
            return cached
        block, within = divmod(position, self._per_block)
        try:
            record = self._decode(json.loads(self._lines(block)[within]))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise CacheError(f"{self._path}: record {position} is damaged ({exc})") from exc
        if len(self._cache) < 100_000:
            self._cache[position] = record
        return record

    def __iter__(self) -> Iterator[Any]:
        for position in range(len(self)):
            yield self[position]

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
