"""Search-as-you-type: completions of a prefix drawn from the index's headlines and outlets.

A keystroke must be answered in milliseconds, so nothing is searched when
one arrives: :class:`Completions` is built once per snapshot of the index
(every live headline and outlet read once) and answers a prefix with a
binary search in a sorted list of keys. What it holds:

- **words** of headlines, as the headlines spell them most often;
- **names**: runs of two or more capitalised words in a headline
  ("Northern Rock", "Bank of England": a lower-case "of", "de", "and"... may
  join them), weighted up (a name is what a reader most often types);
- **phrases**: two and three words in a row seen in at least
  :data:`MIN_PHRASE_COUNT` headlines ("interest rates");
- **outlets**, weighted up as names are.

Each entry's weight is the number of headlines (articles, for an outlet)
holding it. A key is the entry lower-cased, its accents dropped and its
spaces collapsed, so "northern ro" finds "Northern Rock" and "societe"
finds "Société Générale". A prefix of several words that too few entries start
with is completed by the longest tail of it that entries start with, after
the words before the tail ("bank of e" -> "bank of England"). The entries are capped at :data:`MAX_ENTRIES` (the
lightest dropped) so that memory stays bounded however large the index.
"""

from __future__ import annotations

import bisect
import heapq
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["KINDS", "MAX_ENTRIES", "MAX_PREFIX", "MIN_PHRASE_COUNT", "Completion", "Completions", "Harvest", "normalise"]

#: The kinds of completion, in the order they win a tie.
KINDS = ("outlet", "name", "phrase", "word")
#: The most entries one structure keeps (the lightest are dropped past it).
MAX_ENTRIES = 200_000
#: A phrase must be in this many headlines to be offered (one headline's wording is not a phrase).
MIN_PHRASE_COUNT = 2
#: A prefix is cut to this many characters: nobody types a completion longer.
MAX_PREFIX = 100
#: Names and outlets weigh this many times their count.
_BOOST = {"outlet": 3.0, "name": 2.0, "phrase": 1.0, "word": 1.0}
_JOINERS = frozenset({"of", "de", "du", "la", "le", "van", "von", "der", "and", "&", "for", "al", "bin"})
_WORD = re.compile(r"[^\W_](?:[\w'’.&-]*[^\W_])?")
_SPACES = re.compile(r"\s+")
_QUOTES = re.compile(r'["“”]|(?:^|(?<=\s))[+-]')


def normalise(text: str) -> str:
    """``text`` as a key: lower-cased, accents dropped, spaces collapsed (leading ones dropped, a trailing one kept:
    "bank " asks for what follows the word bank)."""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _SPACES.sub(" ", plain).lstrip()


@dataclass(frozen=True)
class Completion:
    """One completion: the ``text`` to put in the search box, its ``kind``
    (outlet, name, phrase, word) and its ``weight`` (headlines holding it,
    times the kind's boost)."""

    text: str
    kind: str
    weight: float


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() or (word.isupper() and len(word) > 1 and word.isalpha())


def _names(words: list[str]) -> Iterable[str]:
    """Runs of two or more capitalised words (a joiner may sit between two), not starting the headline with a
    word that is only capitalised because it starts it: a run of one capitalised word after the first is a name
    only with another."""
    run: list[str] = []

    def flush() -> Iterable[str]:
        while run and run[-1].lower() in _JOINERS:
            run.pop()
        if len(run) >= 2:
            yield " ".join(run)
        run.clear()

    for word in words:
        if _capitalised(word) or (run and word.lower() in _JOINERS and run[-1].lower() not in _JOINERS):
            run.append(word)
        else:
            yield from flush()
    yield from flush()


@dataclass
class Harvest:
    """What the headlines of one segment hold, counted: kept per segment (a written segment
    never changes but for deletions), so that after a commit only the new segments are read."""

    words: Counter[str]
    phrases: Counter[str]
    names: Counter[str]
    #: Each word as headlines spell it, counted (the most common spelling is shown).
    spellings: Counter[str]
    headlines: int = 0

    @classmethod
    def of(cls, headlines: Iterable[str | None]) -> Harvest:
        """Count the words, phrases, names and spellings of ``headlines``."""
        found = cls(Counter(), Counter(), Counter(), Counter())
        keys: dict[str, str] = {}  # word -> its key, worked out once per spelling
        for title in headlines:
            if not title:
                continue
            found.headlines += 1
            words = _WORD.findall(title)
            if not words:
                continue
            found.spellings.update(words)
            lowered = [keys.get(w) or keys.setdefault(w, normalise(w)) for w in words]
            found.words.update(set(lowered))
            found.phrases.update({" ".join(lowered[i:i + n]) for n in (2, 3) for i in range(len(lowered) - n + 1)})
            # a headline's first word is capitalised whatever it is: a name only if a capitalised word or a joiner follows
            lone_first = len(words) > 1 and not _capitalised(words[1]) and words[1].lower() not in _JOINERS
            found.names.update(set(_names(words[1:] if lone_first else words)))
        return found


def _summed(harvests: list[Harvest], name: str) -> Counter[str]:
    """One count of every harvest summed (the harvest's own when there is one: never changed)."""
    if len(harvests) == 1:
        only: Counter[str] = getattr(harvests[0], name)
        return only
    total: Counter[str] = Counter()
    for harvest in harvests:
        total.update(getattr(harvest, name))
    return total


class Completions:
    """The completions of one snapshot of an index (see the module's docstring)."""

    def __init__(self, headlines: Iterable[str | None], outlets: dict[str, int]) -> None:
        """``headlines``: every live article's title; ``outlets``: articles per outlet."""
        self._build([Harvest.of(headlines)], outlets)

    @classmethod
    def of_harvests(cls, harvests: list[Harvest], outlets: dict[str, int]) -> Completions:
        """The completions of headlines counted beforehand, segment by segment."""
        built = cls.__new__(cls)
        built._build(harvests, outlets)
        return built

    def _build(self, harvests: list[Harvest], outlets: dict[str, int]) -> None:
        started = time.perf_counter()
        words, phrases, names, spellings = (_summed(harvests, name) for name in ("words", "phrases", "names", "spellings"))
        display: dict[str, str] = {}
        for word, _n in spellings.most_common():  # the spelling headlines use most, for each key
            display.setdefault(normalise(word), word)
        entries: dict[str, tuple[float, str, str]] = {}  # key -> (weight, kind, text)

        def offer(key: str, weight: float, kind: str, text: str) -> None:
            held = entries.get(key)
            if held is None or (weight, -KINDS.index(kind)) > (held[0], -KINDS.index(held[1])):
                entries[key] = (weight, kind, text)

        for key, n in words.items():
            if n > 0:
                offer(key, n * _BOOST["word"], "word", display.get(key, key))
        for key, n in phrases.items():
            if n >= MIN_PHRASE_COUNT:
                offer(key, n * _BOOST["phrase"], "phrase", " ".join(display.get(w, w) for w in key.split(" ")))
        for name, n in names.items():
            if n > 0:
                offer(normalise(name), n * _BOOST["name"], "name", name)
        for outlet, n in outlets.items():
            if outlet and outlet.strip():
                offer(normalise(outlet.strip()), n * _BOOST["outlet"], "outlet", outlet.strip())
        if len(entries) > MAX_ENTRIES:
            kept = heapq.nlargest(MAX_ENTRIES, entries.items(), key=lambda item: item[1][0])
            entries = dict(kept)
        ordered = sorted(entries.items())
        self._keys = [key for key, _ in ordered]
        self._values = [value for _, value in ordered]
        #: Live headlines read to build it.
        self.headlines = sum(h.headlines for h in harvests)
        #: Seconds the build took (the headlines counted beforehand, for harvests).
        self.build_seconds = time.perf_counter() - started

    def __len__(self) -> int:
        return len(self._keys)

    def complete(self, prefix: str, limit: int = 10) -> list[Completion]:
        """Up to ``limit`` completions of ``prefix``, heaviest first (ties: outlets, names, phrases, words, then
        alphabetical); none for an empty prefix."""
        prefix = _QUOTES.sub(" ", prefix[:MAX_PREFIX])  # '"northern ro' is typed on the way to a phrase
        key = normalise(prefix)
        if not key.strip() or limit <= 0:
            return []
        found = self._starting(key, limit)
        words = prefix.split()
        if len(words) > 1 and not key.endswith(" "):
            # no entry starts with the whole prefix: keep the first words as typed and complete the
            # longest tail that some entry starts with ("bank of e" -> "bank" + "of England"...)
            seen = {c.text.casefold() for c in found}
            for cut in range(1, len(words)):
                if len(found) >= limit or (found and cut == len(words) - 1):
                    break  # a lone last word is completed only when nothing longer was found
                for entry in self._starting(normalise(" ".join(words[cut:])), limit):
                    text = " ".join([*words[:cut], entry.text])
                    if text.casefold() not in seen and len(found) < limit:
                        seen.add(text.casefold())
                        found.append(Completion(text, "phrase", entry.weight))
        return found

    def _starting(self, key: str, limit: int) -> list[Completion]:
        """The heaviest ``limit`` entries whose key starts with ``key``."""
        lo = bisect.bisect_left(self._keys, key)
        hi = bisect.bisect_left(self._keys, key + "\U0010ffff", lo)
        picked = heapq.nsmallest(
            limit,
            range(lo, hi),
            key=lambda i: (-self._values[i][0], KINDS.index(self._values[i][1]), self._keys[i]),
        )
        return [Completion(self._values[i][2], self._values[i][1], self._values[i][0]) for i in picked]

    def memory_bytes(self) -> int:
        """An estimate of the bytes the structure holds (its lists, keys and texts)."""
        total = sys.getsizeof(self._keys) + sys.getsizeof(self._values)
        for key, (_w, _k, text) in zip(self._keys, self._values):
            total += sys.getsizeof(key) + sys.getsizeof(text) + 64  # the tuple and its float
        return total
