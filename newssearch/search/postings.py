"""Decoded posting lists, kept between queries.

Decoding a posting list is most of a query's time, and news queries repeat
their common words: a :class:`PostingCache` keeps the decoded arrays, most
recently used last, up to a memory budget. One lives with each ranker (one
snapshot); scoring, phrases and facet counts read through it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ..engine.reading import Segment

__all__ = ["PostingCache"]


class PostingCache:
    """Posting lists as ``(doc ids, weights)`` arrays, kept up to ``max_bytes``
    (a list larger than a quarter of it is handed out but not kept)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._lists: OrderedDict[tuple[int, str, Any], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0

    def get(self, seg: Segment, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """A term's sorted doc ids in ``seg`` (deleted ones included) and weights."""
        key = (id(seg), fieldname, text)
        found = self._lists.get(key)
        if found is not None:
            self._lists.move_to_end(key)
            return found
        found = seg.postings(fieldname, text)
        size = found[0].nbytes + found[1].nbytes
        if size <= self.max_bytes // 4:
            self._lists[key] = found
            self._bytes += size
            while self._bytes > self.max_bytes:
                _key, (ids, ws) = self._lists.popitem(last=False)
                self._bytes -= ids.nbytes + ws.nbytes
        return found

    @property
    def cached_bytes(self) -> int:
        """Memory the kept lists take."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._lists)

    def clear(self) -> None:
        """Forget every list (memory given back)."""
        self._lists.clear()
        self._bytes = 0
