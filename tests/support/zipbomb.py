"""Hostile ZIP archives for the upload tests and the upload benchmark.

``lying_xlsx`` builds a small XLSX whose ``xl/sharedStrings.xml`` claims a tiny size in both
ZIP headers but really inflates to ``inflated_bytes`` – the attack of issue 12 (a 626 KB file
claiming 2 KB that unpacked to 600 MB inside the spreadsheet reader).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Wohnungsangebote" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)
_SST_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>'
)
_SST_TAIL = b"</t></si></sst>"


def _bomb_pieces(inflated_bytes: int) -> Iterator[bytes]:
    yield _SST_HEAD
    block = b"A" * (1024 * 1024)
    remaining = inflated_bytes - len(_SST_HEAD) - len(_SST_TAIL)
    while remaining > 0:
        piece = block[: min(remaining, len(block))]
        remaining -= len(piece)
        yield piece
    yield _SST_TAIL


def _deflate(pieces: Iterator[bytes]) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, real size) without holding the inflated data."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    out: list[bytes] = []
    crc = size = 0
    for piece in pieces:
        crc = zlib.crc32(piece, crc)
        size += len(piece)
        out.append(compressor.compress(piece))
    out.append(compressor.flush())
    return b"".join(out), crc, size


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of (name, deflate stream, CRC, claimed size) members, claims written as given."""
    body = bytearray()
    central = bytearray()
    for name, stream, crc, claimed in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack(
            "<4s5HLLLHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(stream), claimed, len(encoded), 0
        )
        body += encoded + stream
        central += struct.pack(
            "<4s6HLLLHHHHHLL",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(stream),
            claimed,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack(
        "<4s4HLLH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0
    )
    return bytes(body + central + end)


def _honest(name: str, payload: bytes) -> tuple[str, bytes, int, int]:
    stream, crc, size = _deflate(iter([payload]))
    return name, stream, crc, size


def lying_xlsx(inflated_bytes: int, claimed_bytes: int = 2048) -> bytes:
    """An XLSX whose shared strings claim ``claimed_bytes`` but inflate to ``inflated_bytes``."""
    stream, crc, _real = _deflate(_bomb_pieces(inflated_bytes))
    return _zip(
        [
            _honest("[Content_Types].xml", _TYPES),
            _honest("_rels/.rels", _ROOT_RELS),
            _honest("xl/workbook.xml", _WORKBOOK),
            _honest("xl/_rels/workbook.xml.rels", _RELS),
            _honest("xl/worksheets/sheet1.xml", _SHEET),
            ("xl/sharedStrings.xml", stream, crc, claimed_bytes),
        ]
    )


def honest_bomb_xlsx(inflated_bytes: int) -> bytes:
    """The same workbook with truthful claims: only the ratio and size bounds can stop it."""
    stream, crc, real = _deflate(_bomb_pieces(inflated_bytes))
    return _zip(
        [
            _honest("[Content_Types].xml", _TYPES),
            _honest("_rels/.rels", _ROOT_RELS),
            _honest("xl/workbook.xml", _WORKBOOK),
            _honest("xl/_rels/workbook.xml.rels", _RELS),
            _honest("xl/worksheets/sheet1.xml", _SHEET),
            ("xl/sharedStrings.xml", stream, crc, real),
        ]
    )


def lying_openimmo_zip(inflated_bytes: int, claimed_bytes: int = 2048) -> bytes:
    """An OpenImmo ZIP whose one XML claims ``claimed_bytes`` and inflates far beyond."""
    stream, crc, _real = _deflate(_bomb_pieces(inflated_bytes))
    return _zip([("angebote.xml", stream, crc, claimed_bytes)])
