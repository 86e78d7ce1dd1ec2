"""Bytes to text, for input whose encoding nobody promised.

Two kinds of input need two policies:

* plain text (``decode``): UTF-8, else Windows-1252. Research sets and
  scraped text are UTF-8 or a Western single-byte code page; guessing among
  dozens of code pages on a short file does more harm than good there.
* markup (``decode_markup``): HTML, feeds and WARC payloads say what they
  are (a BOM, an HTTP ``Content-Type``, ``<meta charset>``, an XML
  declaration) and are often wrong about it. The declaration is tried first,
  then UTF-8, then charset-normalizer's statistical guess, then
  Windows-1252 with replacement, so no byte ever stops a batch.

Declared ``iso-8859-1``/``latin-1``/``ascii`` are read as Windows-1252, as
browsers do: pages that say Latin-1 use the 0x80-0x9F punctuation of 1252.
"""

from __future__ import annotations

import codecs
import re
import zlib

from .. import errors
from ..deprecation import moved_names

__all__ = ["declared_charset", "decode", "decode_markup", "gunzip", "looks_binary"]

#: DecompressedTooLarge now lives in newssearch.errors
__getattr__ = moved_names(__name__, {"DecompressedTooLarge": "newssearch.errors"})

_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii", "windows-1252", "cp1252", "iso_8859-1"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})["']""", re.I)


def decode(data: bytes) -> str:
    """Decode bytes that should be plain text without ever failing on a byte.

    UTF-8 (with or without BOM) first, UTF-16 when a BOM says so; otherwise
    Windows-1252, which is what mislabelled "Latin-1" news text usually is
    (the BBC set has a stray 0xA3 pound sign), with undefined bytes replaced.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The encoding a document declares: HTTP header, XML declaration, or
    ``<meta charset>`` in its first 4 KB (Python codec name, or None)."""
    if content_type:
        m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
        if m and _codec(m.group(1)):
            return _codec(m.group(1))
    head = data[:4096]
    for pattern in (_XML_DECL, _META_CHARSET):
        found = pattern.search(head)
        if found and _codec(found.group(1).decode("ascii", "ignore")):
            return _codec(found.group(1).decode("ascii", "ignore"))
    return None


def decode_markup(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML or XML document, trusting its declaration only as far
    as the bytes agree with it (see the module docstring)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    declared = declared_charset(data, content_type)
    if declared and declared != "utf-8" and _single_byte(declared) and not data.isascii():
        # A single-byte code page decodes any bytes, so it never disagrees;
        # but non-ASCII text that is valid UTF-8 is UTF-8 (a Latin-1 text
        # whose accented letters happen to pair up as UTF-8 is vanishingly
        # rare), and a page saved as UTF-8 often keeps its old declaration.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    tried = []
    for name in (declared, "utf-8"):
        if name and name not in tried:
            tried.append(name)
            try:
                return data.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
    guess = _guess(data)
    if guess:
        try:
            return data.decode(guess)
        except (UnicodeDecodeError, LookupError):
            pass
    # a declared single-byte code page that failed strictly is still the
    # best reading; replacement keeps the other bytes
    return data.decode(declared if declared and declared != "utf-8" else "cp1252", "replace")


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency, but decoding must not need it
        return None
    best = from_bytes(data[:200_000]).best()
    return _codec(best.encoding) if best is not None else None


def _single_byte(codec: str) -> bool:
    """Whether ``codec`` maps every byte to one character (Latin-1, the
    Windows and ISO code pages, KOI8, Mac)."""
    name = codecs.lookup(codec).name
    return name.startswith(("latin", "iso8859", "cp125", "koi8", "mac-", "cp437", "cp850", "cp866", "tis")) or name in ("cp1252", "iso8859-1")


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file are binary data rather than text
    with a stray control byte or two: more than 2% of them (and more than
    eight, or a tenth of a tiny file) are control bytes that text does not
    use (NUL included), or a known binary signature starts them. UTF-16 text (with its byte order mark) is text. One NUL in
    a file of a thousand articles must not cost the thousand."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_BINARY_MAGIC):
        return True
    if not head:
        return False
    controls = sum(head.count(bytes([b])) for b in _BINARY_BYTES)
    return controls > 0.02 * len(head) and (controls > 8 or controls > 0.1 * len(head))


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x7fELF", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf")
_BINARY_BYTES = [*range(0, 9), 11, *range(14, 27), *range(28, 32)]


def gunzip(data: bytes, limit: int) -> tuple[bytes, str | None]:
    """Decompress gzip data (several members too), tolerating damage.

    Returns what could be read and, when the stream was cut short or
    corrupt, why; a truncated download still yields its first pages.
    ``limit`` caps the decompressed size: past it,
    :class:`~newssearch.errors.DecompressedTooLarge` is raised (a gzip bomb is an error, not a
    crash, and not half a document).
    """
    out: list[bytes] = []
    size = 0
    rest = data
    step = 8 * 2**20  # inflate in steps, so a bomb is stopped at the limit, not past it
    while rest:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = rest
        while True:
            want = min(step, limit - size + 1)
            try:
                chunk = d.decompress(pending, want)
            except zlib.error as exc:
                return b"".join(out), f"corrupt gzip data after {size:,} bytes ({exc})"
            out.append(chunk)
            size += len(chunk)
            if size > limit:
                raise errors.DecompressedTooLarge(None, f"decompresses to more than {_mb(limit)}, the limit for one input (--max-input-mb)")
            pending = d.unconsumed_tail
            if d.eof or (not pending and len(chunk) < want):
                break
        if not d.eof:
            return b"".join(out), f"truncated gzip file: read the first {size:,} bytes"
        rest = d.unused_data.lstrip(b"\x00")
    return b"".join(out), None


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"
