"""What alerts cost: saved searches matched against a new batch (percolation)
against re-running them over the archive; and fetch throughput per host.

Alerts: an archive of the corpus's first articles, ``--saved`` saved
searches, then one batch of ``--batch`` new articles. Percolation is what
the commit's hook does (``ix.saved.match_new``: each saved search run over
the segments holding the new articles, matches recorded as alerts). The
baselines are what a user without percolation would do, on the same fresh
snapshot with the same empty caches: re-run every saved search over the
whole archive, (a) for its first page of 10 hits, and (b) for every match
(what finding the new ones would need: all matches, then a diff). Wall and
CPU seconds of this one process (matching uses no other process).

The saved searches are drawn from the Reuters headlines of the held-out
days (never indexed: see corpora.py), like a newsroom's followed names and
topics: a word (30%), two adjacent words quoted as a name (40%), two words
with AND (20%), a word from one outlet (10%). Plain words would match any of
them (search's OR), which alerts on far more than a follower wants.

Three figures per side: matching only (every saved search's matches, no
alerts), and the whole of ``match_new`` (matching, collapsing, loading the
articles, snippets and the SQLite transaction).

Fetch throughput: ``--fetch`` follows feeds on a loopback server under two
host names (127.0.0.1 and localhost), every entry a summary whose page is
fetched, with the default politeness (1 s between two requests to a host),
and reports requests per second per host.

    python bench/alerts.py --corpus reuters --saved 1000 --batch 1000
    python bench/alerts.py --corpus scaled:100k --saved 1000 --batch 1000
    python bench/alerts.py --fetch
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script (python bench/alerts.py): the bench package is in the checkout's root
    sys.path.insert(0, str(HERE.parent))

import newssearch as ns  # noqa: E402
from bench.corpora import HEADLINES, HELD_OUT_DAYS, ensure, parse_corpus  # noqa: E402
from bench.engines import article_from_record, read_records  # noqa: E402

STOP = set("a an and the of in on at to for by with from as is are was were be has have had it its after over up down new says said say".split())


def saved_queries(count: int, seed: int = 12) -> list[tuple[str, dict]]:
    """``count`` saved searches from held-out headlines (query, options)."""
    rng = random.Random(seed)
    heads: list[str] = []
    for day in HELD_OUT_DAYS:
        for path in sorted(HEADLINES.glob(f"{day}*.jsonl")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                title = json.loads(line).get("title") or "" if line.strip() else ""
                heads.append(re.sub(r"^(UPDATE \d+|CORRECTED|REFILE)-", "", title))
    rng.shuffle(heads)
    out: list[tuple[str, dict]] = []
    for head in heads:
        words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]+", head) if w.lower() not in STOP and len(w) > 2]
        if len(words) < 2:
            continue
        kind = len(out) % 10
        if kind < 3:  # a name: a company, a place
            query, options = words[0], {}
        elif kind < 7:  # a two-word name, quoted as a user following it would
            query, options = f'"{words[0]} {words[1]}"', {}
        elif kind < 9:  # two things together
            query, options = f"{words[0]} AND {words[-1]}", {}
        else:  # a name, from one outlet
            query, options = words[0], {"source": ["Reuters"]}
        out.append((query, options))
        if len(out) == count:
            return out
    raise SystemExit(f"only {len(out)} usable headlines")


def alerts(args: argparse.Namespace) -> dict:
    from newssearch.search.percolate import Percolator
    from newssearch.search.results import find_matches

    name, size = parse_corpus(args.corpus)
    path, total = ensure(Path(args.workdir), name, size)
    records = list(read_records(path, total))
    archive, batch = records[: total - args.batch], records[total - args.batch :]
    where = Path(args.workdir) / "alerts-index" / args.corpus.replace(":", "-")
    if not args.reuse or not where.exists():
        shutil.rmtree(where, ignore_errors=True)
        ix = ns.create_index(where)
        started = time.perf_counter()
        with ix.writer() as w:
            w.add_many(article_from_record(r) for r in archive)
        print(f"archive: {len(archive):,} articles in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        ix.close()
    # the archive as built, with the saved searches, copied for each run so
    # that every run starts from the same state
    work = where.with_name(where.name + "-run")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(where, work)
    ix = ns.open_index(work)
    queries = saved_queries(args.saved)
    for n, (query, options) in enumerate(queries):
        ix.saved.add(f"s{n:04d}", query, **options)
    timing: dict[str, float] = {}
    original = ix.saved.match_new

    def timed(now=None):
        wall, cpu = time.perf_counter(), time.process_time()
        found = original(now)
        timing.update(wall=time.perf_counter() - wall, cpu=time.process_time() - cpu, alerts=len(found))
        return found

    ix.saved.match_new = timed  # what the commit's hook calls
    before = ix.session().snapshot.last_seq
    started = time.perf_counter()
    with ix.writer() as w:
        w.add_many(article_from_record(r) for r in batch)
    batch_wall = time.perf_counter() - started - timing["wall"]
    alerted = {a.saved for a in ix.saved.alerts()}

    session = ix.session()
    requests = [s.request() for s in ix.saved.list()]

    def rerun(all_matches: bool) -> tuple[float, float, int]:
        ix.drop_caches()
        wall, cpu = time.perf_counter(), time.process_time()
        matched = 0
        for request in requests:
            if all_matches:
                matched += len(find_matches(session, request.replace(all_copies=True)).found[0])
            else:
                matched += ix.search(request.replace(limit=10, snippets=False)).total
        return time.perf_counter() - wall, time.process_time() - cpu, matched

    page_wall, page_cpu, page_total = rerun(all_matches=False)
    all_wall, all_cpu, all_total = rerun(all_matches=True)
    # matching only, the percolation side: the same calls restricted to the batch
    ix.drop_caches()
    wall, cpu = time.perf_counter(), time.process_time()
    new_matches = 0
    percolator = Percolator(session)  # as match_new does
    for request in requests:
        new_matches += len(percolator.match(request, before))
    match_wall, match_cpu = time.perf_counter() - wall, time.process_time() - cpu
    result = {
        "corpus": args.corpus,
        "archive_articles": len(archive),
        "batch_articles": len(batch),
        "saved_searches": len(requests),
        "segments": len(session.snapshot.segments),
        "batch_indexing_wall_s": round(batch_wall, 2),
        "percolation_wall_s": round(timing["wall"], 3),
        "percolation_cpu_s": round(timing["cpu"], 3),
        "percolation_ms_per_saved_search": round(1000 * timing["wall"] / len(requests), 3),
        "matching_only_wall_s": round(match_wall, 3),
        "matching_only_cpu_s": round(match_cpu, 3),
        "batch_matches": new_matches,
        "alerts": int(timing["alerts"]),
        "saved_searches_alerted": len(alerted),
        "rerun_top10_wall_s": round(page_wall, 3),
        "rerun_top10_cpu_s": round(page_cpu, 3),
        "rerun_all_matches_wall_s": round(all_wall, 3),
        "rerun_all_matches_cpu_s": round(all_cpu, 3),
        "archive_matches": all_total,
        "matching_speedup_vs_all_matches": round(all_wall / match_wall, 2),
        "percolation_speedup_vs_top10": round(page_wall / timing["wall"], 2),
    }
    ix.close()
    shutil.rmtree(work, ignore_errors=True)
    return result


def fetch(args: argparse.Namespace) -> dict:
    """Per-host fetch throughput under the default politeness."""
    import threading
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from newssearch.live.follow import Follower

    page = "<html><head><title>{t}</title></head><body><article><h1>{t}</h1>" + "<p>The port authority said traffic rose again this month as new routes opened, officials said.</p>" * 6 + "</article></body></html>"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # noqa: D401 - quiet
            pass

        def do_GET(self):
            host = self.headers.get("Host", "")
            if self.path.startswith("/feed"):
                n = int(self.path[5:].split(".")[0])
                when = format_datetime(datetime.now(timezone.utc) - timedelta(hours=1))
                items = "".join(
                    f"<item><title>Story {n}-{i}</title><link>http://{host}/page/{n}-{i}</link><pubDate>{when}</pubDate><description>Teaser.</description></item>"
                    for i in range(args.entries)
                )
                body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'
                kind = "application/rss+xml"
            elif self.path.startswith("/page/"):
                body, kind = page.format(t=f"Story {self.path[6:]}"), "text/html"
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    feeds = [f"http://{host}:{port}/feed{n}.xml" for n in range(args.feeds) for host in ("127.0.0.1", "localhost")]
    where = Path(args.workdir) / "fetch-index"
    shutil.rmtree(where, ignore_errors=True)
    ix = ns.create_index(where)
    started = time.perf_counter()
    report = Follower(ix, feeds).round()
    wall = time.perf_counter() - started
    server.shutdown()
    ix.close()
    hosts = {
        host: {
            "requests": s.requests,
            "seconds_in_requests": round(s.busy, 2),
            "seconds_waiting": round(s.waited, 2),
            "requests_per_s": round(s.requests / (s.busy + s.waited), 2) if s.busy + s.waited else None,
        }
        for host, s in report.hosts.items()
    }
    return {"feeds": len(feeds), "added": report.added, "pages": report.pages, "wall_s": round(wall, 1),
            "requests_per_s_all_hosts": round(sum(s.requests for s in report.hosts.values()) / wall, 2), "hosts": hosts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="reuters")
    parser.add_argument("--saved", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workdir", default="/tmp/newssearch-bench")
    parser.add_argument("--reuse", action="store_true", help="Reuse the archive index built by an earlier run.")
    parser.add_argument("--fetch", action="store_true", help="Measure fetch throughput per host instead.")
    parser.add_argument("--feeds", type=int, default=3, help="With --fetch: feeds per host.")
    parser.add_argument("--entries", type=int, default=3, help="With --fetch: summary entries per feed.")
    args = parser.parse_args()
    print(json.dumps(fetch(args) if args.fetch else alerts(args), indent=2))


if __name__ == "__main__":
    main()
