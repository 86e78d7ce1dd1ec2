"""Did-you-mean: corrections for misspelled query words, from the index's
own vocabulary.

A word is suspect when no article of the index uses it (in any of its
languages). Its candidates are the words one edit away from what was typed
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
from ..langanalysis import BIGRAM_LANGUAGES, ENGLISH, OTHER, analyse, group_fields
from . import vocabulary
from .memo import Memo

__all__ = ["ANSWERS_KEPT", "ANSWER_CHARS", "WORDS_KEPT", "SpellingMemo", "suggest"]

# a word starting with a Latin, Greek or Cyrillic letter: scripts written
# with spaces, whose words one edit apart are likely typos of each other (a
# Chinese, Japanese or Thai query is never corrected: its "words" are runs
# of characters, and a character one edit away is another word)
_WORD = re.compile(r"(?<![\w:*?\"'.&-])([A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f][\w'\u2019-]*)(?![\w:*?])")
_OPERATORS = {"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"}
_FIELDS = TEXT_FIELDS
#: A word in at least this many articles is taken as spelled as meant:
#: one. At five (until 0.2) a real rare word was "corrected" into a common
#: one ("botched" -> "both"): on typos seeded into held-out headlines
#: (``python bench/typos.py --reuters``, two seeds, 200 words a language),
#: 8.5% and 11.0% of English words typed right were changed at five, 3.5%
#: and 4.0% at one, while the typos corrected right went from 0.845 and
#: 0.880 to 0.840 and 0.875; in pl, ru, bg and cs the words changed fell
#: by half or more, the typos corrected right by 0.015 at most.
KNOWN_FROM = 1
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


#: A term in one language group's fields: ``(group, term)``; English's group is "".
Key = tuple[str, str]


class SpellingMemo:
    """What :func:`suggest` read from one snapshot, kept for its next calls:
    valid only with that snapshot (the document frequencies it weighed
    change with every commit), so it lives with one search session."""

    def __init__(self, words: int = WORDS_KEPT, answers: int = ANSWERS_KEPT) -> None:
        self.options: Memo[str, list[tuple[Key, float]] | None] = Memo(words)
        self.surfaces: Memo[Key, str] = Memo(words)
        self.answers: Memo[str, str | None] = Memo(answers)

    def clear(self) -> None:
        """Forget everything (for a cold benchmark)."""
        self.options.clear()
        self.surfaces.clear()
        self.answers.clear()


def _df(snapshot: Snapshot, term: str, group: str = ENGLISH) -> int:
    return sum(snapshot.doc_frequency(f, term) for f in (_FIELDS if group == ENGLISH else group_fields(group)))


def _groups(snapshot: Snapshot) -> tuple[str, ...]:
    """The language groups besides English whose words are checked: those
    the index holds, less the scripts without spaces and the neutral
    group (many languages' words in one vocabulary)."""
    return tuple(g for g in snapshot.text_groups() if g not in BIGRAM_LANGUAGES and g not in (ENGLISH, OTHER))


def _term_in(group: str, word: str) -> str:
    """A query word's term in a group's fields ("" when it is not one word there)."""
    if group == ENGLISH:
        return term_for(word)
    terms = [t for t, _pos, _s, _e in analyse(group, word) if t]
    return terms[0] if len(terms) == 1 else ""


def _reading(snapshot: Snapshot, word: str) -> tuple[Key, int]:
    """The word's term in the language whose articles use it most, and how many do."""
    best: tuple[Key, int] = ((ENGLISH, term_for(word)), -1)
    for group in (ENGLISH, *_groups(snapshot)):
        term = _term_in(group, word)
        if term:
            df = _df(snapshot, term, group)
            if df > best[1]:
                best = ((group, term), df)
    return best[0], max(0, best[1])


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


def _surface(snapshot: Snapshot, key: Key) -> str:
    """The commonest word, in a few articles, that stems to the key's term
    (in its language, by its language's rules)."""
    group, term = key
    if group != ENGLISH:
        return _surface_in(snapshot, group, term)
    forms: Counter[str] = Counter()
    for fieldname in _FIELDS:
        for docnum in snapshot.docs_with_term(fieldname, term, 5):
            for word in TOKEN_RE.findall(snapshot.stored(docnum).get(fieldname, "")):
                if term_for(word) == term:
                    forms[word.lower()] += 1
        if forms:
            break
    return forms.most_common(1)[0][0] if forms else term


def _surface_in(snapshot: Snapshot, group: str, term: str) -> str:
    """:func:`_surface` in a language group's fields."""
    forms: Counter[str] = Counter()
    for fieldname in group_fields(group):
        for docnum in snapshot.docs_with_term(fieldname, term, 5):
            article = snapshot.article(docnum)
            text = article.title if fieldname.startswith("title") else article.body
            forms.update(text[s:e].lower() for t, _pos, s, e in analyse(group, text) if t == term)
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


def _options(snapshot: Snapshot, word: str) -> list[tuple[Key, float]] | None:
    """Weighted replacement terms for a suspect word, or None if it is fine.

    A word is fine when the articles of some language of the index use it
    (by that language's analysis: the Polish "Ryanaira" is Polish's
    "ryanair"). Otherwise, in English, first the words one edit from what
    was typed (so "presidnet" finds "president" even though their stems
    differ), looked up by their stems; failing those, index terms two edits
    from the typed word's stem. In every other language of the index, its
    terms one or two edits from the word's term there (its own vocabulary:
    a misspelt Polish word is corrected from Polish articles, never into
    an English word).
    """
    if len(word) > MAX_WORD_CHARS:
        return None
    keep, df = _reading(snapshot, word)
    if df >= KNOWN_FROM:
        return None
    scores: dict[Key, float] = {}
    _english_options(snapshot, word, scores)
    for group in _groups(snapshot):
        _group_options(snapshot, group, word, scores)
    options = sorted(((w, c) for c, w in scores.items() if w > df), reverse=True)[:_MAX_OPTIONS]
    if not options:
        return None
    result = [(c, w) for w, c in options]
    if df:
        result.append((keep, float(df)))  # keeping the word is an option too
    return result


def _group_options(snapshot: Snapshot, group: str, word: str, scores: dict[Key, float]) -> None:
    """Add a language group's terms close to ``word``'s term there to
    ``scores``: one edit (a swap counts one) as likely as English's stray
    letter, two a fifth of that (as English's fallback weighs them), by how
    many of the language's articles use each."""
    term = _term_in(group, word)
    if not term or not term.isalpha() or len(term) < 3:
        return
    own = _df(snapshot, term, group)
    for cand in vocabulary.within(snapshot, group_fields(group), term, 2 if len(term) >= 5 else 1):
        if cand == term or not cand.isalpha():
            continue
        edits = distance(term, cand)
        if edits <= 2:
            n = _df(snapshot, cand, group)
            if n > own:
                key = (group, cand)
                scores[key] = max(scores.get(key, 0.0), n * (0.5 if edits == 1 else 0.1))


def _english_options(snapshot: Snapshot, word: str, scores: dict[Key, float]) -> None:
    """Add English's replacement terms for ``word`` to ``scores`` (see :func:`_options`)."""
    term = term_for(word)
    if not term or not term.isalpha() or len(term) < 3:
        return
    found: dict[str, float] = {}
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
                    found[cand] = max(found.get(cand, 0.0), float(n) * weight)
    if not found and len(term) >= 5:
        for cand in _candidates(snapshot, term, 2):
            if cand != term and cand.isalpha() and distance(term, cand) <= 2:
                found[cand] = _df(snapshot, cand) * 0.1
    for cand, weight in found.items():
        scores[(ENGLISH, cand)] = weight


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
    spots: list[tuple[re.Match[str], list[tuple[Key, float]]]] = []
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
            known.append(word)
    if not spots:
        return None
    cache: dict[Key, set[int]] = {}

    def docs(key: Key) -> set[int]:
        if key not in cache:
            group, term = key
            if group == ENGLISH:
                cache[key] = snapshot.words_docs([term])
            else:
                cache[key] = {d for f in group_fields(group) for d in snapshot.docs_with_term(f, term, 1 << 30)}
        return cache[key]

    groups = _groups(snapshot)

    def word_docs(word: str) -> set[int]:
        # the articles using a word the query holds as typed, in any language
        # (each language's reading of it in its own articles): a correction
        # is weighed by the articles it shares with them, in their language
        found = docs((ENGLISH, term_for(word)))
        for group in groups:
            term = _term_in(group, word)
            if term:
                found = found | docs((group, term))
        return found

    context: set[int] | None = None
    for word in known:
        context = word_docs(word) if context is None else context & word_docs(word)
    # likelihood of the words (how common each is) times how often they
    # appear together, in logs
    best: tuple[float, tuple[Key, ...]] | None = None
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
    for (m, _opts), key in zip(spots, best[1]):
        if key[1] == _term_in(key[0], m.group(1)):
            continue
        fix = _surface(snapshot, key) if memo is None else memo.surfaces.get(key, lambda k: _surface(snapshot, k))
        word = m.group(1)
        if word[:1].isupper():
            fix = fix[:1].upper() + fix[1:]
        pieces.append(text[pos : m.start(1)])
        pieces.append(fix)
        pos = m.end(1)
        changed = True
    pieces.append(text[pos:])
    return "".join(pieces) if changed else None
