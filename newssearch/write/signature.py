"""Story signatures: how newssearch tells copies of one story apart from other stories.

The same wire story reaches an archive from many outlets and in several
versions ("UPDATE 2-..." adds a paragraph, an outlet trims the last one).
Two articles are copies of one story when enough of their word sequences
are the same: the Jaccard similarity of their sets of 5-word shingles is at
least :data:`SAME_STORY` (0.25: versions of a story rewrite much of it,
while different stories rarely share a quarter of their 5-word sequences;
chosen on the odd half of 239 hand-labelled candidate pairs from Reuters
2006-07 and reported on the even half, ``bench/dedup.py``), and they were
published close in time (:func:`newssearch.write.stories.same_story`).

The shingle sets are summarised by a MinHash signature (:data:`HASHES`
values; the share of equal values estimates the Jaccard similarity), and
the signature is cut into :data:`BANDS` bands: two articles whose
similarity reaches the threshold share at least one band with high
probability (locality-sensitive hashing), so candidates are found by looking
up a few band keys instead of comparing every pair. Signatures depend only
on the text, never on the index or the process, so they mean the same in
every segment, run and shard.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..analysis import TOKEN_RE

__all__ = ["BANDS", "HASHES", "ROWS", "SAME_STORY", "SHINGLE", "Signature", "band_keys", "signature"]

#: Words per shingle.
SHINGLE = 5
#: MinHash values per signature.
HASHES = 64
#: Band keys per article, each made of ROWS values: a pair at similarity s
#: shares a band with probability 1 - (1 - s**2)**16, 0.64 at SAME_STORY,
#: 0.94 at 0.4 and 0.99998 at 0.7 (the curve's midpoint, (1/16)**(1/2), is
#: SAME_STORY). More rows per band would cut the random candidates but miss
#: rewrites; more bands cost lookups and memory while indexing.
BANDS = 16
ROWS = 2
#: The similarity from which two articles are copies of one story.
SAME_STORY = 0.25

_EMPTY = np.full(HASHES, np.iinfo(np.uint32).max, dtype=np.uint32)
_EMPTY_BYTES = _EMPTY.tobytes()


@cache
def _hashing() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hash functions' multipliers and offsets, and the band salts,
    drawn on first use: loading numpy's random module costs ~15 ms, and a
    search (whose schema names :data:`HASHES`) never signs an article."""
    rng = np.random.default_rng(20261129)  # fixed: a signature must mean the same everywhere
    a = rng.integers(0, 2**63, size=HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=HASHES, dtype=np.uint64)
    # one salt per band, so that equal values in different bands are different keys
    salts = rng.integers(0, 2**63, size=BANDS, dtype=np.uint64)
    return a, b, salts


def band_keys(values: np.ndarray) -> np.ndarray:
    """The band keys of signatures (rows of ``HASHES`` uint32 values), one
    row of ``BANDS`` uint64 keys each: a band's ROWS (2) values side by side
    in 64 bits, salted with the band's number. Vectorised, so an index's
    signatures are keyed in one go."""
    assert ROWS == 2
    used = values[:, : BANDS * ROWS].astype(np.uint64)
    keys: np.ndarray = ((used[:, 0::2] << np.uint64(32)) | used[:, 1::2]) ^ _hashing()[2]
    return keys


@dataclass(frozen=True)
class Signature:
    """An article's MinHash values (``HASHES`` unsigned 32-bit integers)."""

    values: bytes

    @property
    def array(self) -> np.ndarray:
        """The values as a numpy array."""
        return np.frombuffer(self.values, dtype=np.uint32)

    def bands(self) -> np.ndarray:
        """The band keys (:data:`BANDS` unsigned 64-bit integers; none for
        an article without words): the LSH buckets this article falls in."""
        if self.values == _EMPTY_BYTES:
            return np.empty(0, dtype=np.uint64)
        keys: np.ndarray = band_keys(self.array[None, :])[0]
        return keys

    def similarity(self, other: Signature) -> float:
        """The estimated Jaccard similarity of the two articles' shingle sets."""
        return float(np.count_nonzero(self.array == other.array)) / HASHES


def signature(title: str, body: str) -> Signature:
    """The signature of an article: of its body's shingles, or of its title
    and body together when the body is too short to carry a story."""
    words = TOKEN_RE.findall(body)
    if len(words) < 4 * SHINGLE:
        words = TOKEN_RE.findall(title) + words
    if not words:
        return Signature(_EMPTY.tobytes())
    tokens = _token_hashes(words)
    # a shingle's hash from its words' hashes (a polynomial, wrapping in 64
    # bits); a text shorter than a shingle is one shingle of all its words
    width = min(SHINGLE, len(tokens))
    with np.errstate(over="ignore"):
        shingles = np.zeros(len(tokens) - width + 1, dtype=np.uint64)
        for k in range(width):
            shingles = shingles * _BASE + tokens[k : len(tokens) - width + 1 + k]
    # 32-bit shingle hashes; a repeated shingle changes no minimum, so
    # there is no need to make them unique first
    shingles = shingles >> np.uint64(32)
    # one multiply-shift hash per value (Dietzfelbinger): the high 32 bits of
    # a * h + b modulo 2**64 (numpy's uint64 arithmetic wraps around)
    multipliers, offsets, _ = _hashing()
    with np.errstate(over="ignore"):
        mixed = (multipliers[:, None] * shingles[None, :] + offsets[:, None]) >> np.uint64(32)
    return Signature(mixed.min(axis=1).astype(np.uint32).tobytes())


_BASE = np.uint64(1_000_003)
_TOKEN_HASHES: dict[str, int] = {}
#: Words whose hash is remembered (about 100 MB at most).
_TOKEN_HASHES_LIMIT = 1_000_000


def _token_hashes(words: list[str]) -> np.ndarray:
    """Each word's stable 32-bit hash (lowercased), remembered: news repeats its words.

    The words not yet remembered are found as a set difference and hashed
    once each, so an article with one new word costs no Python loop over
    all its words (that loop was a third of a signature's time)."""
    cache = _TOKEN_HASHES
    new = set(words).difference(cache)
    if not new:
        return np.array(list(map(cache.__getitem__, words)), dtype=np.uint64)
    fresh = {word: zlib.crc32(word.lower().encode("utf-8")) for word in new}
    if len(cache) < _TOKEN_HASHES_LIMIT:
        cache.update(fresh)
        return np.array(list(map(cache.__getitem__, words)), dtype=np.uint64)
    return np.array([fresh[w] if w in fresh else cache[w] for w in words], dtype=np.uint64)
