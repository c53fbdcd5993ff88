"""Bounded inspection of ZIP-based uploads (XLSX, OpenImmo ZIP) before anything unpacks them.

Why measure instead of trusting the archive: the sizes in a ZIP's directory are claims. A
626 KB file claiming 2 KB for ``sharedStrings.xml`` inflated to 600 MB inside the spreadsheet
reader. Here every member is inflated in small chunks from exactly the compressed bytes the
reader will later use, counting real output: a member producing more than it claims, more
than the total budget, or more than ``MAX_RATIO`` times its compressed size (once past
``RATIO_FLOOR``) is refused at that moment, with constant memory. A member that passes has
been proven to inflate to its claimed size, so the reader's own inflation is bounded too.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

#: Total real unpacked size of one archive (a 50,000-row XLSX unpacks to well below it).
MAX_UNPACKED_BYTES = 96 * 1024 * 1024
#: Largest compression ratio of one member once it unpacks to more than RATIO_FLOOR.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
MAX_MEMBERS = 10_000
_CHUNK_IN = 64 * 1024
_CHUNK_OUT = 256 * 1024
_LOCAL_HEADER = struct.Struct("<4s5HLLLHH")
_ENCRYPTED = 0x1


@dataclass(frozen=True)
class ArchiveProblem:
    """Why an archive is refused: ``invalid``, ``too_large``, ``ratio`` or ``lying``."""

    reason: str
    member: str = ""


def _member_data(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of ``info`` (the same slice any reader inflates)."""
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated local header")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile("bad local header")
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    end = begin + info.compress_size
    if end > len(data):
        raise zipfile.BadZipFile("member beyond the end of the archive")
    return memoryview(data)[begin:end]


def _inflated_size(
    compressed: memoryview, info: zipfile.ZipInfo, budget: int
) -> int | ArchiveProblem:
    """Inflate chunk by chunk, stopping as soon as a bound is crossed."""
    if info.compress_type == zipfile.ZIP_STORED:
        produced = len(compressed)
        if produced != info.file_size:
            return ArchiveProblem("lying", info.filename)
        return produced if produced <= budget else ArchiveProblem("too_large", info.filename)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return ArchiveProblem("invalid", info.filename)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    produced = 0
    crc = 0
    limit = min(info.file_size, budget)
    for offset in range(0, len(compressed), _CHUNK_IN):
        pending = bytes(compressed[offset : offset + _CHUNK_IN])
        while pending:
            chunk = inflater.decompress(pending, _CHUNK_OUT)
            pending = inflater.unconsumed_tail
            produced += len(chunk)
            crc = zlib.crc32(chunk, crc)
            problem = _bound_crossed(info, produced, limit)
            if problem is not None:
                return problem
            if inflater.eof:
                break
        if inflater.eof:
            break
    if produced != info.file_size or crc != info.CRC:
        return ArchiveProblem("lying", info.filename)
    return produced


def _bound_crossed(info: zipfile.ZipInfo, produced: int, limit: int) -> ArchiveProblem | None:
    if produced > limit:
        return ArchiveProblem("lying" if produced > info.file_size else "too_large", info.filename)
    if produced > RATIO_FLOOR and produced > MAX_RATIO * max(info.compress_size, 1):
        return ArchiveProblem("ratio", info.filename)
    return None


def inspect_zip(
    data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES
) -> list[str] | ArchiveProblem:
    """The member names of a ZIP whose real unpacked size is proven bounded, or the problem."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return ArchiveProblem("too_large")
            if sum(i.file_size for i in infos) > max_unpacked:
                return ArchiveProblem("too_large")
            total = 0
            for info in infos:
                if info.flag_bits & _ENCRYPTED:
                    return ArchiveProblem("invalid", info.filename)
                size = _inflated_size(_member_data(data, info), info, max_unpacked - total)
                if isinstance(size, ArchiveProblem):
                    return size
                total += size
            return [i.filename for i in infos]
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, struct.error):
        return ArchiveProblem("invalid")
