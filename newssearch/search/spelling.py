"""Did-you-mean: corrections for misspelled query words, from the index's
own vocabulary.

A word is suspect when the index has it in fewer than a handful of
articles. Its candidates are the words one edit away from what was typed
(transpositions included, so "ukriane" is next to "ukraine") that the index
knows, by their stems; failing those, index terms two edits from the typed
word's stem (Whoosh's edit-distance automata). They are weighted by how many
articles use them. With several suspect words, the combination whose words
appear *together* in the most articles wins: "ukriane minks" becomes
"ukraine minsk", not "ukraine mine". Since the index holds stems, each
correction is shown as the word articles actually use.

The lookups of a suspect word (its edits, the index terms two edits away)
are asked of each segment's word list in memory (:mod:`.vocabulary`, kept
across commits); asked of Whoosh's term files they cost hundreds of
milliseconds on a 14,000-article index. Every search of a server asks for
a suggestion, so a
:class:`SpellingMemo` keeps each word's options, each term's surface form
and each query's answer for as long as the snapshot they were read from
(one lives with each :class:`~.session.SearchSession`, so a commit starts
an empty one), so a query's suggestion is computed once per commit.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

from ..analysis import TOKEN_RE, term_for
from ..engine.reading import Snapshot
from ..engine.schema import TEXT_FIELDS
from . import vocabulary
from .memo import Memo

__all__ = ["ANSWERS_KEPT", "ANSWER_CHARS", "WORDS_KEPT", "SpellingMemo", "suggest"]

_WORD = re.compile(r"(?<![\w:*?\"'.&-])([A-Za-z\u00c0-\u024f][\w'\u2019-]*)(?![\w:*?])")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}
_FIELDS = TEXT_FIELDS
#: A word in at least this many articles is taken as spelled as meant.
KNOWN_FROM = 5
#: Longer queries are pasted text, not typed words: no suggestion.
MAX_WORDS = 12
_MAX_OPTIONS = 8
#: Longer words are not checked: no one mistypes a word of 40 letters, and
#: the edits of a word grow with its length squared (one of 5,000 letters,
#: a pasted blob, took minutes, outside any search's time budget).
MAX_WORD_CHARS = 40
# a piece of the query (between spaces) holding a dot, slash, colon, @ or a
# digit is a ticker (AAPL.O), a URL (www.reuters.com), a handle or a number:
# its words are not checked
_NOT_PROSE = re.compile(r"[./:@\d]")
# an acronym or ticker: two to six capitals (CBI, NYSE, AAPL); a longer
# word in capitals is a word typed with caps lock, and is checked
_ACRONYM = re.compile(r"^[A-Z][A-Z&]{1,5}s?$")
#: Words (and terms) whose options (and surface forms) a memo keeps: a few
#: kilobytes each at most, a few megabytes in all.
WORDS_KEPT = 4096
#: Whole queries whose answer a memo keeps (those of at most
#: :data:`ANSWER_CHARS` characters: a few megabytes in all).
ANSWERS_KEPT = 4096
ANSWER_CHARS = 512


class SpellingMemo:
    """What :func:`suggest` read from one snapshot, kept for its next calls:
    valid only with that snapshot (the document frequencies it weighed
    change with every commit), so it lives with one search session."""

    def __init__(self, words: int = WORDS_KEPT, answers: int = ANSWERS_KEPT) -> None:
        self.options: Memo[str, list[tuple[str, float]] | None] = Memo(words)
        self.surfaces: Memo[str, str] = Memo(words)
        self.answers: Memo[str, str | None] = Memo(answers)

    def clear(self) -> None:
        """Forget everything (for a cold benchmark)."""
        self.options.clear()
        self.surfaces.clear()
        self.answers.clear()


def _df(snapshot: Snapshot, term: str) -> int:
    return sum(snapshot.doc_frequency(f, term) for f in _FIELDS)


def _candidates(snapshot: Snapshot, term: str, maxdist: int) -> set[str]:
    return vocabulary.within(snapshot, _FIELDS, term, maxdist)


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _surface(snapshot: Snapshot, term: str) -> str:
    """The commonest word, in a few articles, that stems to ``term``."""
    forms: Counter[str] = Counter()
    for fieldname in _FIELDS:
        for docnum in snapshot.docs_with_term(fieldname, term, 5):
            for word in TOKEN_RE.findall(snapshot.stored(docnum).get(fieldname, "")):
                if term_for(word) == term:
                    forms[word.lower()] += 1
        if forms:
            break
    return forms.most_common(1)[0][0] if forms else term


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> dict[str, float]:
    """Every string one edit from ``word``, with how likely a typist makes
    that edit: swapped or undoubled letters most ("presidnet", "gogle"),
    a stray letter less, a wrong letter least."""
    out: dict[str, float] = {}

    def add(candidate: str, weight: float) -> None:
        if out.get(candidate, 0.0) < weight:
            out[candidate] = weight

    for i in range(len(word) + 1):
        a, b = word[:i], word[i:]
        if b:
            add(a + b[1:], 0.5)  # a letter too many
            for c in _LETTERS:
                if c != b[0]:
                    add(a + c + b[1:], 0.3)  # a wrong letter
        if len(b) > 1:
            add(a + b[1] + b[0] + b[2:], 1.0)  # two letters swapped
        for c in _LETTERS:
            doubled = (a[-1:] == c) or (b[:1] == c)
            add(a + c + b, 1.0 if doubled else 0.5)  # a letter missing
    return out


def _options(snapshot: Snapshot, word: str) -> list[tuple[str, float]] | None:
    """Weighted replacement terms for a suspect word, or None if it is fine.

    First the words one edit from what was typed (so "presidnet" finds
    "president" even though their stems differ), looked up by their stems;
    failing those, index terms two edits from the typed word's stem.
    """
    if len(word) > MAX_WORD_CHARS:
        return None
    term = term_for(word)
    if not term or not term.isalpha() or len(term) < 3:
        return None
    df = _df(snapshot, term)
    if df >= KNOWN_FROM:
        return None
    scores: dict[str, float] = {}
    lower = word.lower()
    if lower.isascii() and lower.isalpha():
        for edit, likelihood in _edits1(lower).items():
            cand = term_for(edit)
            # most edits are no word: asked of the words in memory, not of the term files
            if cand and cand != term and vocabulary.holds(snapshot, _FIELDS, cand):
                n = _df(snapshot, cand)
                if n:
                    # typos rarely hit the first letter, and a candidate whose
                    # stem is also close to the typed word's is likelier
                    # ("gogle" is "google", not "goale", i.e. "goal")
                    weight = likelihood * (1.0 if cand[:1] == term[:1] else 0.05)
                    if distance(term, cand) > 1:
                        weight *= 0.2
                    scores[cand] = max(scores.get(cand, 0.0), float(n) * weight)
    if not scores and len(term) >= 5:
        for cand in _candidates(snapshot, term, 2):
            if cand != term and cand.isalpha() and distance(term, cand) <= 2:
                scores[cand] = _df(snapshot, cand) * 0.1
    options = sorted(((w, c) for c, w in scores.items() if w > df), reverse=True)[:_MAX_OPTIONS]
    if not options:
        return None
    result = [(c, w) for w, c in options]
    if df:
        result.append((term, float(df)))  # keeping the word is an option too
    return result


def suggest(snapshot: Snapshot, text: str, memo: SpellingMemo | None = None) -> str | None:
    """The query with its suspect words corrected, or None if none are.

    Only prose is checked: a query of more than :data:`MAX_WORDS` words
    (pasted text), acronyms and tickers in capitals, and pieces holding a
    dot, slash, colon, @ or digit (tickers, URLs, handles) are left as typed.
    ``memo``: what earlier calls read from this same snapshot (the answer is
    the same with or without it, only sooner).
    """
    if memo is None or len(text) > ANSWER_CHARS:
        return _suggest(snapshot, text, memo)
    return memo.answers.get(text, lambda t: _suggest(snapshot, t, memo))


def _suggest(snapshot: Snapshot, text: str, memo: SpellingMemo | None) -> str | None:
    if len(text.split()) > MAX_WORDS:
        return None
    skipped = [m.span() for m in re.finditer(r"\S+", text) if _NOT_PROSE.search(m.group(0))]
    spots: list[tuple[re.Match[str], list[tuple[str, float]]]] = []
    known: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group(1)
        if word in _OPERATORS or text[m.end() : m.end() + 1] == ":":
            continue
        if _ACRONYM.match(word) or any(lo <= m.start() < hi for lo, hi in skipped):
            continue
        if memo is None or len(word) > MAX_WORD_CHARS:  # a longer word is not checked: nothing to remember
            options = _options(snapshot, word)
        else:
            options = memo.options.get(word, lambda w: _options(snapshot, w))
        if options:
            spots.append((m, options))
        elif term_for(word):
            known.append(term_for(word))
    if not spots:
        return None
    cache: dict[str, set[int]] = {}

    def docs(term: str) -> set[int]:
        if term not in cache:
            cache[term] = snapshot.words_docs([term])
        return cache[term]

    context: set[int] | None = None
    for term in known:
        context = docs(term) if context is None else context & docs(term)
    # likelihood of the words (how common each is) times how often they
    # appear together, in logs
    best: tuple[float, tuple[str, ...]] | None = None
    combos = itertools.islice(itertools.product(*[opts for _, opts in spots]), 4096)
    for combo in combos:
        together = context
        for cand, _w in combo:
            together = docs(cand) if together is None else together & docs(cand)
        score = sum(math.log(w) for _, w in combo) + math.log1p(len(together or ()))
        if best is None or score > best[0]:
            best = (score, tuple(c for c, _ in combo))
    assert best is not None
    pieces: list[str] = []
    pos = 0
    changed = False
    for (m, _opts), term in zip(spots, best[1]):
        if term == term_for(m.group(1)):
            continue
        fix = _surface(snapshot, term) if memo is None else memo.surfaces.get(term, lambda t: _surface(snapshot, t))
        word = m.group(1)
        if word[:1].isupper():
            fix = fix[:1].upper() + fix[1:]
        pieces.append(text[pos : m.start(1)])
        pieces.append(fix)
        pos = m.end(1)
        changed = True
    pieces.append(text[pos:])
    return "".join(pieces) if changed else None
