"""Whoosh's English language data, which newssearch's analysis borrows.

:mod:`newssearch.analysis` holds the rules that turn words into index terms;
the stop list, the accent-folding table and the fallback Porter2 stemmer
(used only if PyStemmer cannot be imported) are Whoosh's, so that the index
keeps the terms it had; they reach the analysis through here.
"""

from __future__ import annotations

from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.support.charset import accent_map

__all__ = ["STOP_WORDS", "accent_map", "porter2_stem"]
