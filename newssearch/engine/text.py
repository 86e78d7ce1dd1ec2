"""The text tables newssearch's analysis borrows from Whoosh.

:mod:`newssearch.analysis` holds the rules that turn words into index terms;
the stop list and the accent-folding table are Whoosh's, so that the index
keeps the terms it had, and they reach the analysis through here.
"""

from __future__ import annotations

from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.support.charset import accent_map

__all__ = ["STOP_WORDS", "accent_map", "porter2_stem"]
