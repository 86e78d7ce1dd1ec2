"""Evaluation: did-you-mean in several languages, on typos seeded into held-out headlines.

Run by hand (not part of the test run)::

    python bench/typos.py --index-dir /tmp/typos-ix              # pl ru bg cs from multilingual-news
    python bench/typos.py --index-dir /tmp/typos-ix --reuters    # and English, on Reuters 2006-07

Each collection is split by the SHA-1 of the article id (first byte odd:
held out, as ``bench/languages.py`` splits it). The other half is indexed
(once; the index is kept in ``--index-dir``). From the held-out headlines
come, per language, up to ``--words`` words of five letters or more that
the index holds in at least five articles of that language (words a
reader could mean), each given one seeded typo past its first letter: two
letters swapped, one dropped, one doubled or one replaced by another of
the language's letters. Each typo is asked of ``NewsIndex.suggest`` alone:

* **right**: the suggestion is the word meant, or another form of it (the
  same term by the language's analysis: "Ryanair" for "Ryanaira");
* **wrong**: another word;
* **left**: no suggestion.

The same held-out words as typed (no typo) measure the opposite mistake:
**changed** counts a real word "corrected" into another (English's
"botched" -> "both"), out of all held-out words of five letters or more,
those the index knows rarely or not at all included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.append(str(HERE.parent))  # after PYTHONPATH: the code before a change can be measured too

import newssearch as ns
from newssearch.analysis import term_for
from newssearch.langanalysis import ENGLISH, analyse, group_fields, language_group

DATA = HERE.parent.parent / "shared" / "data"
MULTI = DATA / "multilingual-news"
REUTERS = DATA / "reuters-news-2006-2007"


def held_out(article_id: str) -> bool:
    return bool(hashlib.sha1(article_id.encode("utf-8")).digest()[0] & 1)


def term_of(lang: str, word: str) -> str:
    if lang == "en":
        return term_for(word)
    terms = [t for t, _p, _s, _e in analyse(language_group(lang), word) if t]
    return terms[0] if len(terms) == 1 else ""


def words_of(lang: str, text: str) -> list[str]:
    group = ENGLISH if lang == "en" else language_group(lang)
    return [text[s:e] for t, _p, s, e in analyse(group, text) if t and e - s >= 5 and text[s:e].isalpha()]


def typo(word: str, letters: str, rng: random.Random) -> str:
    """One edit past the first letter: a swap, a drop, a doubling or a wrong letter."""
    for _ in range(20):
        i = rng.randrange(1, len(word))
        kind = rng.choice(("swap", "drop", "double", "replace"))
        if kind == "swap" and i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "double":
            out = word[:i] + word[i] + word[i:]
        elif kind == "replace":
            out = word[:i] + rng.choice([c for c in letters if c != word[i].lower()]) + word[i + 1 :]
        else:
            continue
        if out.lower() != word.lower():
            return out
    return word[:1] + word[2:]


def multilingual(langs: list[str]) -> tuple[list[ns.Article], dict[str, list[str]]]:
    articles: list[ns.Article] = []
    headlines: dict[str, list[str]] = {}
    for lang in langs:
        with (MULTI / f"{lang}.jsonl").open(encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                if held_out(r["id"]):
                    headlines.setdefault(lang, []).append(r["title"])
                else:
                    articles.append(ns.Article(id=r["id"], title=r["title"], body=r["body"], language=lang, source=r["source"]))
    return articles, headlines


def reuters() -> tuple[list[ns.Article], dict[str, list[str]]]:
    articles: list[ns.Article] = []
    headlines: list[str] = []
    for a in ns.read_path(REUTERS):
        if held_out(a.id):
            headlines.append(a.title)
        else:
            articles.append(a)
    return articles, {"en": headlines}


def ensure_index(folder: Path, articles: list[ns.Article]) -> ns.NewsIndex:
    if not folder.exists():
        started = time.perf_counter()
        ix = ns.create_index(folder)
        with ix.writer() as w:
            w.add_many(articles)
        print(f"indexed {len(articles):,} articles in {time.perf_counter() - started:.0f} s into {folder}", file=sys.stderr)
        return ix
    return ns.open_index(folder)


def known_df(ix: ns.NewsIndex, lang: str, term: str) -> int:
    snapshot = ix.session().snapshot
    group = ENGLISH if lang == "en" else language_group(lang)
    return snapshot.doc_frequency_any(group_fields(group), term)


def evaluate(ix: ns.NewsIndex, lang: str, headlines: list[str], count: int, seed: int) -> dict[str, int]:
    rng = random.Random(f"{seed}-{lang}")
    letters = sorted({c.lower() for h in headlines for w in words_of(lang, h) for c in w})
    pool: list[str] = []
    seen: set[str] = set()
    every: list[str] = []
    for h in headlines:
        for w in words_of(lang, h):
            if w.lower() not in seen:
                seen.add(w.lower())
                every.append(w)
                if known_df(ix, lang, term_of(lang, w)) >= 5:
                    pool.append(w)
    rng.shuffle(pool)
    rng.shuffle(every)
    out: Counter[str] = Counter()
    for word in pool[:count]:
        wrong = typo(word, "".join(letters), rng)
        got = ix.suggest(wrong)
        if not got or got.strip().lower() == wrong.lower():
            out["left"] += 1
        elif got.strip().lower() == word.lower() or term_of(lang, got.strip()) == term_of(lang, word):
            out["right"] += 1
        else:
            out["wrong"] += 1
    for word in every[:count]:
        got = ix.suggest(word)
        out["changed"] += int(bool(got) and got.strip().lower() != word.lower())
        out["clean"] += 1
    out["typos"] = min(count, len(pool))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--langs", default="pl,ru,bg,cs")
    parser.add_argument("--reuters", action="store_true", help="English too, on Reuters 2006-07")
    parser.add_argument("--words", type=int, default=200)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    langs = [code for code in args.langs.split(",") if code]
    rows: list[tuple[str, dict[str, int]]] = []
    if langs:
        articles, headlines = multilingual(langs)
        ix = ensure_index(args.index_dir / "multi", articles)
        rows += [(lang, evaluate(ix, lang, headlines.get(lang, []), args.words, args.seed)) for lang in langs]
    if args.reuters:
        articles, headlines = reuters()
        ix = ensure_index(args.index_dir / "reuters", articles)
        rows.append(("en", evaluate(ix, "en", headlines["en"], args.words, args.seed)))
    print("| language | typos | right | wrong | left alone | clean words | clean words changed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for lang, r in rows:
        n = max(1, r["typos"])
        print(
            f"| {lang} | {r['typos']} | {r['right'] / n:.3f} | {r['wrong'] / n:.3f} | {r['left'] / n:.3f} "
            f"| {r['clean']} | {r['changed'] / max(1, r['clean']):.3f} |"
        )


if __name__ == "__main__":
    main()
