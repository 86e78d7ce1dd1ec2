"""Make the benchmark's fixed query set, bench/queries/news.tsv (run once; the
file is committed so every run uses the same queries).

    python bench/make_queries.py            # rewrites bench/queries/news.tsv

The queries are words and short phrases taken from Reuters headlines of the
held-out days (the 1st and 15th of each month of 2007h1, never indexed in
the ``headlines`` corpus), classed by how many Reuters 2006-07 articles
contain each word (document frequency over 14,384: rare <= 20, common >=
1,000). Only words every engine tokenizes the same way are used: letters
only, three or more, not a stop word, no wire slugs ("UPDATE", "DIARY").

200 queries, seeded:

* 40 ``word``: one word (a third rare, a third mid, a third common);
* 60 ``words2`` and 25 ``words3``: two or three consecutive words of a headline;
* 25 ``rare+common``: a rare and a common word of the same headline;
* 20 ``phrase``: two or three adjacent words of a headline, quoted;
  5 ``phrase+word``: a quoted phrase and another word of the headline;
* 25 ``dated``: one or two words with a date window of 7, 31 or 91 days
  within 2007h1 around the headline's day (``since``/``until``, inclusive).

Then 20 warm-up queries (bench/queries/warmup.tsv), none of them among the 200.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/make_queries.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

from bench import corpora  # noqa: E402
from bench.engines import STOP_WORDS, read_records  # noqa: E402

OUT = HERE / "queries" / "news.tsv"
WARMUP = HERE / "queries" / "warmup.tsv"
SEED = 5
SLUGS = {
    "update", "refile", "corrected", "correction", "diary", "digest", "factbox", "wrapup", "snap", "instant",
    "view", "analysis", "interview", "timeline", "preview", "press", "urgent", "table", "text",
}
RARE, COMMON = 20, 1000


def headline_words(title: str) -> list[list[str]]:
    """Runs of usable words: a run breaks at any unusable token and at
    punctuation, so the words of one run are adjacent in the headline."""
    punct = ",.:;!?\"()[]'"
    runs: list[list[str]] = [[]]
    for token in title.split():
        word = token.strip(punct)
        if word != token.lstrip(punct):  # "(word" or '"word' starts a new run
            runs.append([])
        low = word.lower()
        if word.isascii() and word.isalpha() and len(word) >= 3 and low not in STOP_WORDS and low not in SLUGS:
            runs[-1].append(low)
        else:
            runs.append([])
        if word != token.rstrip(punct):  # "word," ends its run
            runs.append([])
    return [r for r in runs if r]


def main() -> int:
    workdir = Path("/tmp/newssearch-bench")
    reuters, _ = corpora.ensure(workdir, "reuters")
    df: Counter[str] = Counter()
    for r in read_records(reuters):
        df.update(set(re.findall(r"[a-z]+", (r["title"] + " " + r["body"]).lower())))
    held: list[tuple[str, str]] = []  # (day, title)
    for day in corpora.HELD_OUT_DAYS:
        for line in open(corpora.HEADLINES / f"{day}.jsonl", encoding="utf-8"):
            title = json.loads(line)["title"]
            if not title.startswith(("On The Wires", "European Markets")):
                held.append((day, title))
    held.sort()
    rng = random.Random(SEED)
    seen: set[str] = set()
    rows: list[tuple[str, str, str, str]] = []

    def cls(w: str) -> str:
        n = df[w]
        return "rare" if 1 <= n <= RARE else "common" if n >= COMMON else "mid" if n else "none"

    def add(kind: str, text: str, since: str = "", until: str = "") -> bool:
        if text in seen:
            return False
        seen.add(text)
        rows.append((kind, text, since, until))
        return True

    def draw(pred) -> tuple[str, list[list[str]]]:
        while True:
            day, title = rng.choice(held)
            runs = headline_words(title)
            if runs and pred(runs):
                return day, runs

    for want in ["rare"] * 13 + ["mid"] * 13 + ["common"] * 14:
        while True:
            _, runs = draw(lambda rs: any(cls(w) == want for r in rs for w in r))
            w = rng.choice([w for r in runs for w in r if cls(w) == want])
            if add("word", w):
                break
    for kind, k, count in (("words2", 2, 60), ("words3", 3, 25)):
        done = 0
        while done < count:
            _, runs = draw(lambda rs: any(len(r) >= k for r in rs))
            run = rng.choice([r for r in runs if len(r) >= k])
            start = rng.randrange(len(run) - k + 1)
            words = run[start : start + k]
            if all(df[w] for w in words) and add(kind, " ".join(words)):
                done += 1
    done = 0
    while done < 25:
        _, runs = draw(lambda rs: {cls(w) for r in rs for w in r} >= {"rare", "common"})
        flat = [w for r in runs for w in r]
        rare = rng.choice([w for w in flat if cls(w) == "rare"])
        common = rng.choice([w for w in flat if cls(w) == "common"])
        if add("rare+common", f"{rare} {common}" if rng.random() < 0.5 else f"{common} {rare}"):
            done += 1
    done = 0
    while done < 25:
        with_word = done >= 20
        _, runs = draw(lambda rs: any(len(r) >= 2 for r in rs) and (not with_word or sum(map(len, rs)) >= 3))
        run = rng.choice([r for r in runs if len(r) >= 2])
        k = 3 if len(run) >= 3 and rng.random() < 0.3 else 2
        start = rng.randrange(len(run) - k + 1)
        phrase = run[start : start + k]
        if not all(df[w] for w in phrase):
            continue
        text = '"' + " ".join(phrase) + '"'
        if with_word:
            others = [w for r in runs for w in r if w not in phrase and df[w]]
            if not others:
                continue
            text += " " + rng.choice(others)
        if add("phrase+word" if with_word else "phrase", text):
            done += 1
    done = 0
    while done < 25:
        day, runs = draw(lambda rs: True)
        flat = [w for r in runs for w in r if df[w]]
        if not flat:
            continue
        k = min(len(flat), rng.choice((1, 2, 2)))
        start = rng.randrange(len(flat) - k + 1)
        span = rng.choice((7, 31, 91))
        from datetime import date, timedelta

        d = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        lo = max(date(2007, 1, 1), d - timedelta(days=span // 2))
        hi = min(date(2007, 6, 30), lo + timedelta(days=span - 1))
        if add("dated", " ".join(flat[start : start + k]), lo.isoformat(), hi.isoformat()):
            done += 1

    # Warm-up queries, drawn after the 200 (which stay as they were) and
    # never among them: the harness runs these untimed, so that no timed
    # query has run before in its process (a result cache cannot answer it).
    timed = len(rows)
    kinds = ["words2", "word", "phrase", "dated", "words3"] * 4
    while len(rows) - timed < len(kinds):
        day, runs = draw(lambda rs: any(len(r) >= 2 for r in rs))
        run = rng.choice([r for r in runs if len(r) >= 2])
        kind = kinds[len(rows) - timed]
        if not all(df[w] for w in run[:3]):
            continue
        if kind == "word":
            add(kind, run[0])
        elif kind == "phrase":
            add(kind, '"' + " ".join(run[:2]) + '"')
        elif kind == "dated":
            add(kind, run[0], "2007-03-01", "2007-03-31")
        else:
            add(kind, " ".join(run[: 3 if kind == "words3" else 2]))
    warmup = rows[timed:]
    del rows[timed:]
    with open(WARMUP, "w", encoding="utf-8") as out:
        out.write(
            "# Warm-up queries for bench/compare.py, run untimed before the timed ones and never among them\n"
            "# (made by bench/make_queries.py after bench/queries/news.tsv; same columns).\n"
        )
        out.write("kind\tquery\tsince\tuntil\n")
        for row in warmup:
            out.write("\t".join(row) + "\n")

    OUT.parent.mkdir(exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as out:
        out.write(
            "# newssearch benchmark queries: made by bench/make_queries.py (seed %d) from headlines of the\n"
            "# held-out days %s..%s (1st and 15th of each month of 2007h1). Tab-separated: kind, query in\n"
            "# newssearch syntax (words, \"phrases\"), since, until (inclusive dates, UTC; empty = none).\n"
            "# bench/engines.py documents how each engine is given these queries.\n" % (SEED, corpora.HELD_OUT_DAYS[0], corpora.HELD_OUT_DAYS[-1])
        )
        out.write("kind\tquery\tsince\tuntil\n")
        for row in rows:
            out.write("\t".join(row) + "\n")
    print(f"wrote {len(rows)} queries to {OUT} and {len(warmup)} to {WARMUP}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
