"""Kill the indexer at random moments and check that nothing is lost or stuck.

Run by hand (``tests/test_crash.py`` runs a short version)::

    python bench/crashtest.py                      # 100 kills on Reuters 2006-07
    python bench/crashtest.py --kills 20 --seed 7 --slice 800

Each trial starts ``newssearch index`` (a real process, in its own session,
writing with its worker processes and committing every ``--commit-every``
articles) on a random slice of the Reuters 2006-07 files, sends it SIGKILL,
SIGTERM or SIGINT after a random delay (up to 1.2 times a clean run's length,
so kills land while reading, while writing and during the commit), and then
checks:

* **orphans**: processes of the run still alive 5 s after it ended;
* **stale lock**: the index's write lock cannot be taken;
* **opens**: the index opens and every stored article reads back;
* **lost**: articles committed before the run that are gone, or whose
  stored fields differ from the source file (compared by the content
  fingerprint the index keeps for every article);
* **next run**: indexing the same slice again succeeds (exit 0) and holds
  every article of the slice afterwards;
* **stray bytes**: files no commit refers to, after that next run.

Each trial starts from a copy of one base index (the first two slices,
built in batches: several segments), so every killed run has a slice of new
articles to write. Prints one line per trial and a table of totals.

**Readers under merges** (``--readers-under-merges N``): N library searches
in two reader processes while a writer process commits without pause,
every commit followed by the merges the tiered policy plans, and every
tenth a rebuild (which replaces every segment). The writer adds filler
articles no probe matches and rebuilds with the same articles, so every
search has one right answer, counted before the writer starts: each probe's
stories and articles (``limit=0`` and a page of 10, with and without a date
filter). One reader searches through ``NewsIndex.search`` (a new snapshot
after each commit), the other through sessions it opens, waits for the
next commit, and only then reads. Counted: exceptions by type and wrong
counts::

    python bench/crashtest.py --readers-under-merges 20000

**Compact killed** (``--compact-kills N``): ``newssearch compact`` of an
index with several segments and deleted articles, killed with SIGKILL at a
random moment (or, with ``at=`` in :func:`compact_killed`, at a chosen step:
while the merged segment is written, before its table of contents, before
its checksums). After each kill the index must open with exactly the live
articles it had (same fingerprints), its lock free; the next ``compact``
must finish, leave no stray bytes and ``check`` exit 0::

    python bench/crashtest.py --compact-kills 20 --slice 600

**Reanalyse killed**: ``compact_killed(index, at=..., command="reanalyse")``
kills ``newssearch reanalyse`` at the same steps, and after its manifest's
mark (:data:`REANALYSE_KILL_POINTS`), with the same checks (every article as
it was, the lock free, the next run finishing, no stray bytes, ``check``
clean); ``tests/test_reanalyse.py`` runs it at every step.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSSEARCH_SHARED", ROOT.parent / "shared"))
SIGNALS = {"SIGKILL": signal.SIGKILL, "SIGTERM": signal.SIGTERM, "SIGINT": signal.SIGINT}


@dataclass
class Trial:
    """What one kill did and what was found after it."""

    signal: str
    delay: float
    phase: str
    exit_code: int | None
    hung: bool = False
    orphans: int = 0
    stale_lock: bool = False
    opens: bool = True
    lost: int = 0
    changed: int = 0
    next_run_ok: bool = True
    missing_after_next: int = 0
    stray_bytes: int = 0
    next_run_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether every check passed."""
        return (
            not self.hung
            and not self.orphans
            and not self.stale_lock
            and self.opens
            and not self.lost
            and not self.changed
            and self.next_run_ok
            and not self.missing_after_next
            and not self.stray_bytes
        )


def reuters_files(root: Path | None = None) -> list[Path]:
    """The Reuters 2006-07 article files, in a fixed order."""
    base = root or SHARED / "data" / "reuters-news-2006-2007"
    return sorted(p for p in base.rglob("*") if p.is_file() and p.name != "SOURCE.md")


def command(index: Path, files: list[Path], commit_every: int) -> list[str]:
    """The indexing command a trial runs."""
    return [sys.executable, "-m", "newssearch", "index", *map(str, files), "--index", str(index),
            "--commit-every", str(commit_every), "--quiet"]


def session_processes(sid: int) -> list[int]:
    """Live processes in session ``sid`` (the run and every process it started)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # fields after the command: state, ppid, pgrp, session, ...
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry))
    return found


def stored(index: Path) -> dict[str, str]:
    """Every live article's content fingerprint (a digest of all its stored
    fields) by id; raises if the index cannot be read."""
    import newssearch as ns

    with ns.open_index(index) as ix:
        if len(ix) == 0:
            return {}
        snapshot = ix.session().snapshot
        fingerprints = snapshot.column("fingerprint")
        found = {}
        for article_id in snapshot.ids_starting("", 10**9):
            docnum = snapshot.docnum_for_id(article_id)
            if docnum is not None:
                found[article_id] = fingerprints[docnum]
        return found


def source_articles(files: list[Path]) -> dict[str, str]:
    """What the files say (each article's fingerprint by id), read the way ``index`` reads them."""
    import newssearch as ns

    return {a.id: a.fingerprint() for a in ns.read_path([str(p) for p in files], on_error=lambda _e: None)}


def lock_is_free(index: Path) -> bool:
    """Whether a writer could take the index's lock now (checked in a fresh
    process, so this process never holds or touches it)."""
    code = (
        "import sys; from newssearch.engine.locking import WriteLock; "
        "l = WriteLock(sys.argv[1]); ok = l.acquire(); l.release(); sys.exit(0 if ok else 1)"
    )
    return subprocess.run([sys.executable, "-c", code, str(index)], check=False).returncode == 0


def stray_bytes(index: Path) -> int:
    """Bytes in files no commit refers to."""
    from newssearch.engine.integrity import path_size
    from newssearch.engine.store import Store

    store = Store.open(index)
    return sum(path_size(p) for p in store.leftovers())


def run_trial(index: Path, files: list[Path], truth: dict[str, str], slice_ids: set[str], sig: str,
              delay: float, commit_every: int, phase: str, *, after_workers: bool = False) -> Trial:
    """One kill and every check after it; with ``after_workers`` the delay
    counts from the moment the run's worker processes are up."""
    before = stored(index) if (index / "newssearch.json").exists() else {}
    # stderr goes to a file, not a pipe: a worker that outlived the run would hold a pipe open
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(command(index, files, commit_every), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=errors)
    sid = proc.pid
    if after_workers:
        while len(session_processes(sid)) < 2 and proc.poll() is None:
            time.sleep(0.02)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(SIGNALS[sig])
    hung = False
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        hung = True
        proc.kill()
        proc.wait()
    if proc.returncode == 0:
        phase = "finished first"
    trial = Trial(sig, delay, phase, proc.returncode, hung=hung)
    if hung:
        trial.notes.append("did not exit within 120 s of the signal: killed")
    errors.seek(0)
    text = errors.read().decode("utf-8", "replace")
    errors.close()
    if "Traceback" in text:
        trial.notes.append("traceback on stderr")
    deadline = time.monotonic() + 5
    while session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = session_processes(sid)
    trial.orphans = len(left)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    trial.stale_lock = not lock_is_free(index)
    try:
        after = stored(index)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        trial.opens = False
        trial.notes.append(f"open: {type(exc).__name__}: {exc}")
        after = {}
    if trial.opens:
        trial.lost = sum(1 for i in before if i not in after)
        trial.changed = sum(1 for i, v in after.items() if i in truth and truth[i] != v)

    state = index.parent / "state-after-kill"
    shutil.rmtree(state, ignore_errors=True)
    if index.exists():
        shutil.copytree(index, state)  # kept for a post-mortem when the next run fails
    t0 = time.perf_counter()
    done = subprocess.run(command(index, files, commit_every), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False, env=dict(os.environ, NEWSSEARCH_DEBUG="1"))
    trial.next_run_s = time.perf_counter() - t0
    trial.next_run_ok = done.returncode == 0
    if not trial.next_run_ok:
        trial.notes.append(f"next run: exit {done.returncode}: {done.stderr.decode('utf-8', 'replace').strip()[-1500:]}")
        kept = index.parent / f"failed-{int(time.time())}"
        shutil.copytree(state, kept)
        trial.notes.append(f"the index as the kill left it: {kept}")
    try:
        now = stored(index)
        trial.missing_after_next = len(slice_ids - set(now)) + len(set(before) - set(now))
        trial.stray_bytes = stray_bytes(index)
    except Exception as exc:  # noqa: BLE001
        trial.next_run_ok = False
        trial.notes.append(f"after next run: {type(exc).__name__}: {exc}")
    return trial


# --- readers under merges ----------------------------------------------------

#: What the readers ask: query text and filters (the first 1,000 Reuters
#: 2006-07 files run from October to November 2006).
PROBES: list[tuple[str, dict[str, str]]] = [
    ("oil", {}),
    ("oil", {"since": "2006-11-01"}),
    ("bank rates", {}),
    ("election", {"since": "2006-10-15", "until": "2006-11-15"}),
    ("", {"since": "2006-11-10", "until": "2006-11-20"}),
    ('"prime minister"', {}),
]


@dataclass
class RaceReport:
    """What the readers met while the writer committed and merged."""

    searches: int = 0
    errors: Counter = field(default_factory=Counter)  # "Type: message" -> times
    wrong: Counter = field(default_factory=Counter)  # probe -> searches with a wrong count
    commits: int = 0
    rebuilds: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        lines = [
            (f"{self.searches:,} searches in {self.seconds:.0f} s while the writer made {self.commits:,} commits"
             f" ({self.rebuilds} rebuilds), each followed by the merges it planned"),
            f"errors: {sum(self.errors.values()):,}",
            *(f"  {n:,} {what}" for what, n in self.errors.most_common(8)),
            f"wrong counts: {sum(self.wrong.values()):,}",
            *(f"  {n:,} {what}" for what, n in self.wrong.most_common(8)),
        ]
        return "\n".join(lines)


def _counts(results: Any) -> tuple[int, int]:
    return int(results.total), int(results.articles)


def _filler(i: int) -> Any:
    import newssearch as ns

    return ns.Article(title=f"Zyzzyva filler {i}", body=f"Zyzzyva quokka filler number {i}. " * 5,
                      url=f"https://filler.invalid/{i}")


def _writer(index: str, base: list[Any], stop: Any, counts: Any, rebuild_every: int) -> None:
    """Commit without pause until ``stop``: a filler article per commit
    (the merges after it replace the small segments), every
    ``rebuild_every``-th commit a rebuild with the base articles (every
    segment replaced)."""
    import newssearch as ns

    i = 0
    with ns.open_index(index) as ix:
        while not stop.is_set():
            i += 1
            if i % rebuild_every == 0:
                with ix.writer(rebuild=True) as w:
                    w.add_many(base)
                counts[1] += 1
            else:
                ix.add(_filler(i))
            counts[0] += 1


def _toc(index: str) -> list[str]:
    return sorted(n for n in os.listdir(index) if n.endswith(".toc"))


def _reader(index: str, probes: list[tuple[str, dict[str, str]]], expected: list[tuple[int, int]], n: int,
            stale: bool, out: Any) -> None:
    """``n`` searches; ``stale``: through sessions opened before a commit and read after it."""
    import newssearch as ns
    from newssearch.search.request import SearchRequest
    from newssearch.search.results import run_search

    errors: Counter = Counter()
    wrong: Counter = Counter()
    ix = ns.open_index(index)
    session = None
    for i in range(n):
        k = (i // 2) % len(probes)
        text, filters = probes[k]
        limit = 0 if i % 2 == 0 else 10
        try:
            if stale:
                if i % 20 == 0:  # a new session, opened, then read only after the next commit
                    ix.close()
                    ix = ns.open_index(index)
                    session = ix.session()
                    toc, deadline = _toc(index), time.monotonic() + 10
                    while _toc(index) == toc and time.monotonic() < deadline:
                        time.sleep(0.005)
                results = run_search(session, SearchRequest.build(text, limit=limit, **filters))
            else:
                results = ix.search(text, limit=limit, **filters)
            if _counts(results) != expected[k]:
                wrong[f"{text or '*'} {filters}: {_counts(results)} instead of {expected[k]}"] += 1
        except Exception as exc:  # noqa: BLE001 - counted, which is the point
            errors[f"{type(exc).__name__}: {' '.join(str(exc).split())[:90]}"] += 1
            if stale:
                session = None
                ix.close()
                ix = ns.open_index(index)
                session = ix.session()
    ix.close()
    out.put((n, dict(errors), dict(wrong)))


def readers_under_merges(index: Path, base: list[Any], searches: int,
                         probes: list[tuple[str, dict[str, str]]] | None = None, *, rebuild_every: int = 10,
                         log: Any = None) -> RaceReport:
    """Search ``searches`` times (two reader processes) while a writer
    process commits, merges and rebuilds ``index`` (built here from
    ``base``); see the module docstring."""
    import multiprocessing

    import newssearch as ns

    probes = probes or PROBES
    shutil.rmtree(index, ignore_errors=True)
    with ns.create_index(index) as ix:
        for start in range(0, len(base), max(1, len(base) // 9)):  # several segments
            ix.add(base[start : start + max(1, len(base) // 9)])
        first = [_counts(ix.search(q, limit=0, **f)) for q, f in probes]
        with ix.writer(rebuild=True) as w:
            w.add_many(base)
        expected = [_counts(ix.search(q, limit=0, **f)) for q, f in probes]
    if first != expected:
        raise RuntimeError(f"a rebuild with the same articles changed the counts: {first} -> {expected}")
    if log:
        log(f"# {len(base):,} articles; probes and their (stories, articles): "
            + "; ".join(f"{q or '*'} {f or ''} {e}" for (q, f), e in zip(probes, expected)))
    ctx = multiprocessing.get_context("fork")
    stop, counts, out = ctx.Event(), ctx.Array("i", 2), ctx.Queue()
    writer = ctx.Process(target=_writer, args=(str(index), base, stop, counts, rebuild_every))
    readers = [ctx.Process(target=_reader, args=(str(index), probes, expected, n, stale, out))
               for n, stale in ((searches - searches // 2, False), (searches // 2, True))]
    t0 = time.perf_counter()
    writer.start()
    for r in readers:
        r.start()
    report = RaceReport()
    for _ in readers:
        n, errors, wrong = out.get()
        report.searches += n
        report.errors.update(errors)
        report.wrong.update(wrong)
    for r in readers:
        r.join()
    stop.set()
    writer.join(timeout=120)
    report.seconds = time.perf_counter() - t0
    report.commits, report.rebuilds = counts[0], counts[1]
    if writer.exitcode != 0:
        report.errors[f"writer exited with {writer.exitcode}"] += 1
    if log:
        log(str(report))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers-under-merges", type=int, default=0, metavar="N",
                        help="instead of kills: N searches racing a writer's merges (see above)")
    parser.add_argument("--articles", type=int, default=1000, help="with --readers-under-merges: Reuters articles indexed")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--slice", type=int, default=1500, help="files per run (>= 1,000 makes the writer use its worker processes)")
    parser.add_argument("--commit-every", type=int, default=500)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newssearch-crashtest"))
    parser.add_argument("--rebuild-kills", type=int, default=0, metavar="N",
                        help="instead: N kills of 'index --rebuild --commit-every' (slices of --slice files)")
    parser.add_argument("--compact-kills", type=int, default=0, metavar="N",
                        help="instead: N kills of 'compact' (an index of 2 x --slice files, a third deleted)")
    args = parser.parse_args(argv)
    if args.readers_under_merges:
        import newssearch as ns

        base = list(ns.read_path([str(p) for p in reuters_files()[: args.articles]], on_error=lambda _e: None))
        race = readers_under_merges(args.workdir / "race", base, args.readers_under_merges, log=print)
        return 0 if not race.errors and not race.wrong else 1
    if args.compact_kills:
        counts = compact_kills(args.compact_kills, args.seed, args.slice, args.commit_every, args.workdir, log=print)
        return 0 if counts["kills"] == counts["ok"] else 1
    if args.rebuild_kills:
        counts = rebuild_kills(args.rebuild_kills, args.seed, args.slice, args.commit_every, args.workdir, log=print)
        return 0 if not (counts["part, NOT marked"] or counts["next rebuild wrong"] or counts["index failed to open"]) else 1
    report = crash_test(args.kills, args.seed, args.slice, args.commit_every, args.workdir, log=print)
    return 0 if all(t.clean for t in report) else 1


def crash_test(kills: int, seed: int, size: int, commit_every: int, workdir: Path, *, files: list[Path] | None = None,
               log: Any = None) -> list[Trial]:
    """Run ``kills`` trials; return what each found.

    A base index of the first ``2 * size`` files is built once, in batches
    (so it has several segments); each trial starts from a copy of it and
    kills a run that writes a random slice of the other files, so every
    killed run has real work to do (a slice already indexed would be
    "unchanged" and end in a moment)."""

    rng = random.Random(seed)
    files = files or reuters_files()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    base, index = workdir / "base", workdir / "ix"
    subprocess.run(command(base, files[: 2 * size], commit_every), check=True)
    truth = source_articles(files[: 2 * size])
    rest = files[2 * size :]
    shutil.copytree(base, index)
    t0 = time.perf_counter()
    subprocess.run(command(index, rest[:size], commit_every), check=True)
    seconds = time.perf_counter() - t0
    if log:
        log(f"# {kills} kills, slices of {size} files into a copy of a {len(truth):,}-article index,"
            f" commit every {commit_every}; a clean run of a slice takes {seconds:.1f} s")
    trials = []
    for k in range(kills):
        start = rng.randrange(0, max(1, len(rest) - size))
        chunk = rest[start : start + size]
        these = source_articles(chunk)
        sig = rng.choice(sorted(SIGNALS))
        # from 0.3 s (a signal sent before the interpreter starts is lost in
        # the fork-exec gap) to past the end of a clean run
        delay = rng.uniform(0.3, 1.2 * seconds)
        phase = "reading/writing" if delay < 0.8 * seconds else "the last commit"
        shutil.rmtree(index, ignore_errors=True)
        shutil.copytree(base, index)
        trial = run_trial(index, chunk, {**truth, **these}, set(these), sig, delay, commit_every, phase)
        trials.append(trial)
        if log:
            verdict = "ok" if trial.clean else "FAILED"
            log(f"{k + 1:3d} {sig:7s} at {trial.delay:5.2f} s ({trial.phase:15s}) exit {trial.exit_code}: {verdict}"
                + (f" {trial}" if not trial.clean else "") + ("; " + "; ".join(trial.notes) if trial.notes else ""))
    if log:
        log(summary(trials))
    return trials


# --- a killed rebuild that commits in batches (issue 26) -----------------------


def rebuild_kills(kills: int, seed: int, size: int, commit_every: int, workdir: Path, *, files: list[Path] | None = None,
                  log: Any = None) -> dict[str, int]:
    """SIGKILL ``index --rebuild --commit-every`` at random moments; after
    each kill the index must hold either its old contents whole or part of
    the rebuild *marked as unfinished* (``check`` exits 1 saying so), never
    an unmarked part; the next ``--rebuild`` of the same files must resume
    or redo it and end holding exactly those files' articles, unmarked,
    with ``check`` exit 0. Returns the counts of each outcome."""
    files = files or reuters_files()
    old_files, new_files = files[:size], files[size : 2 * size]
    base, index = _workdir(workdir)
    subprocess.run(command(base, old_files, commit_every), check=True)
    old_ids, new_ids = set(source_articles(old_files)), set(source_articles(new_files))
    rebuild = [*command(index, new_files, commit_every), "--rebuild"]
    counts = {"kills": 0, "old contents whole": 0, "part, marked unfinished": 0, "finished before the kill": 0,
              "part, NOT marked": 0, "index failed to open": 0, "next rebuild resumed": 0, "next rebuild wrong": 0,
              "tracebacks": 0}
    _seconds, schedule = _kill_schedule(kills, seed, base, index, rebuild, earliest=0.3)
    for k, delay in schedule:
        proc = subprocess.Popen(rebuild, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
        counts["kills"] += 1
        counts["tracebacks"] += b"Traceback" in err
        try:
            now = set(stored(index))
        except Exception:  # noqa: BLE001 - counted
            counts["index failed to open"] += 1
            continue
        check = subprocess.run([sys.executable, "-m", "newssearch", "check", "--index", str(index)],
                               capture_output=True, text=True, check=False)
        marked = check.returncode == 1 and "it resumes" in check.stdout
        if now == old_ids:
            outcome = "old contents whole"
        elif now == new_ids and check.returncode == 0:
            outcome = "finished before the kill"
        elif now <= new_ids and marked:
            outcome = "part, marked unfinished"
        else:
            outcome = "part, NOT marked"
        counts[outcome] += 1
        again = subprocess.run(rebuild, capture_output=True, text=True, check=False)
        counts["tracebacks"] += "Traceback" in again.stderr
        ok = again.returncode == 0 and set(stored(index)) == new_ids and subprocess.run(
            [sys.executable, "-m", "newssearch", "check", "--index", str(index)], capture_output=True, check=False).returncode == 0
        if "Resumed the rebuild" in again.stderr and ok:
            counts["next rebuild resumed"] += 1
        if not ok:
            counts["next rebuild wrong"] += 1
        if log:
            log(f"{k + 1:3d} SIGKILL at {delay:5.2f} s: {outcome}; next rebuild {'ok' if ok else 'WRONG'}")
    if log:
        log(_table("rebuild killed (--rebuild --commit-every)", counts))
    return counts


# --- a killed compact -----------------------------------------------------------

#: Runs ``compact`` (or the command ``argv[3]`` names: ``reanalyse``) in a
#: child process, killing itself (SIGKILL) at the step ``argv[2]`` names: the
#: 50th posting list of the merged (re-analysed) segment written, its table of
#: contents about to be written, its checksums about to be recorded, or (for
#: ``reanalyse``) its analysis about to be marked in the manifest.
KILLED_AT = r"""
import os, signal, sys
import newssearch as ns
from newssearch.engine import fastwrite, store
from whoosh.writing import SegmentWriter

where, at = sys.argv[1], sys.argv[2]
command = sys.argv[3] if len(sys.argv) > 3 else "compact"
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if at == "postings":
    calls, write = [0], fastwrite.write_postings
    def counted(*a, **k):
        calls[0] += 1
        if calls[0] == 50:
            die()
        return write(*a, **k)
    fastwrite.write_postings = counted
elif at == "toc":
    SegmentWriter._commit_toc = die
elif at == "sums":
    store.record_commit = die
elif at == "mark":
    store.Store.mark_analysed = die
with ns.open_index(where) as ix:
    ix.reanalyse() if command == "reanalyse" else ix.compact()
"""

#: Where :func:`compact_killed` can stop a compaction.
KILL_POINTS = ("postings", "toc", "sums")
#: Where it can stop a ``reanalyse``: those, and after its commit, before the
#: manifest records the analysis.
REANALYSE_KILL_POINTS = (*KILL_POINTS, "mark")


@dataclass
class CompactTrial:
    """What one killed compact left and what the next compact made of it."""

    exit_code: int | None
    opens: bool = True
    lost: int = 0
    changed: int = 0
    stale_lock: bool = False
    next_ok: bool = True
    stray_bytes: int = 0
    check_ok: bool = True
    segments_after: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether every check passed."""
        return (self.opens and not self.lost and not self.changed and not self.stale_lock and self.next_ok
                and not self.stray_bytes and self.check_ok)


def compact_killed(index: Path, *, at: str | None = None, delay: float = 0.0, command: str = "compact") -> CompactTrial:
    """Kill a ``compact`` of ``index`` (or a ``reanalyse``: ``command``): at
    the step ``at`` (one of :data:`KILL_POINTS`, :data:`REANALYSE_KILL_POINTS`),
    or else ``delay`` seconds after starting ``newssearch compact``; then
    check the index and run the command again."""
    before = stored(index)
    if at is not None:
        proc = subprocess.Popen([sys.executable, "-c", KILLED_AT, str(index), at, command], start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    else:
        proc = subprocess.Popen([sys.executable, "-m", "newssearch", command, "--index", str(index)],
                                start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    _out, err = proc.communicate(timeout=300)
    trial = CompactTrial(proc.returncode)
    if b"Traceback" in err:
        trial.notes.append("traceback on stderr")
    trial.stale_lock = not lock_is_free(index)
    try:
        after = stored(index)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check
        trial.opens = False
        trial.notes.append(f"open: {type(exc).__name__}: {exc}")
        after = {}
    if trial.opens:
        trial.lost = len(set(before) - set(after)) + len(set(after) - set(before))
        trial.changed = sum(1 for i, v in after.items() if i in before and before[i] != v)
    again = subprocess.run([sys.executable, "-m", "newssearch", command, "--index", str(index), "--json"],
                           capture_output=True, text=True, check=False)
    trial.next_ok = again.returncode == 0 and stored(index) == before
    if again.returncode != 0:
        trial.notes.append(f"next {command}: exit {again.returncode}: {again.stderr.strip()[-500:]}")
    elif command == "compact":
        trial.segments_after = int(json.loads(again.stdout)["segments_after"])
    trial.stray_bytes = stray_bytes(index)
    check = subprocess.run([sys.executable, "-m", "newssearch", "check", "--index", str(index)],
                           capture_output=True, text=True, check=False)
    trial.check_ok = check.returncode == 0
    if not trial.check_ok:
        trial.notes.append(f"check: {check.stdout.strip()[-500:]}")
    return trial


def compact_base(base: Path, files: list[Path], commit_every: int) -> None:
    """An index worth compacting: ``files`` indexed in batches (several
    segments), then every third article deleted."""
    import newssearch as ns

    subprocess.run(command(base, files, commit_every), check=True)
    with ns.open_index(base) as ix:
        ids = sorted(stored(base))
        ix.delete(ids[::3])


def compact_kills(kills: int, seed: int, size: int, commit_every: int, workdir: Path, *, files: list[Path] | None = None,
                  log: Any = None) -> dict[str, int]:
    """SIGKILL ``newssearch compact`` at random moments (see the module
    docstring), each on a fresh copy of one base index; return the counts."""
    files = files or reuters_files()
    base, index = _workdir(workdir)
    compact_base(base, files[: 2 * size], commit_every)
    clean = [sys.executable, "-m", "newssearch", "compact", "--index", str(index)]
    seconds, schedule = _kill_schedule(kills, seed, base, index, clean, earliest=0.2)
    if log:
        log(f"# {kills} kills of compact on a copy of a {len(stored(base)):,}-article index; a clean compact takes {seconds:.1f} s")
    counts = {"kills": 0, "ok": 0, "finished before the kill": 0, "index failed to open": 0, "articles lost or changed": 0,
              "stale lock": 0, "next compact failed": 0, "stray bytes after": 0, "check failed": 0, "tracebacks": 0}
    for k, delay in schedule:
        trial = compact_killed(index, delay=delay)
        counts["kills"] += 1
        counts["ok"] += trial.clean
        counts["finished before the kill"] += trial.exit_code == 0
        counts["index failed to open"] += not trial.opens
        counts["articles lost or changed"] += trial.lost + trial.changed
        counts["stale lock"] += trial.stale_lock
        counts["next compact failed"] += not trial.next_ok
        counts["stray bytes after"] += trial.stray_bytes > 0
        counts["check failed"] += not trial.check_ok
        counts["tracebacks"] += "traceback on stderr" in trial.notes
        if log:
            log(f"{k + 1:3d} SIGKILL at {delay:5.2f} s: exit {trial.exit_code}, {'ok' if trial.clean else 'FAILED'}"
                + ("; " + "; ".join(trial.notes) if trial.notes else ""))
    if log:
        log(_table("compact killed", counts))
    return counts


# --- shared by the kill loops ---------------------------------------------------


def _workdir(workdir: Path) -> tuple[Path, Path]:
    """An empty ``workdir``; the paths of its base index and of the copy each kill works on."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    return workdir / "base", workdir / "ix"


def _kill_schedule(kills: int, seed: int, base: Path, index: Path, clean_run: list[str], *,
                   earliest: float) -> tuple[float, Iterator[tuple[int, float]]]:
    """Time one clean run of ``clean_run`` on a copy of ``base`` at ``index``;
    return its seconds and the kills: before each, a fresh copy of ``base``
    is put at ``index`` and the kill's number and delay are yielded (drawn
    from ``earliest`` to 1.1 times the clean run, so some runs finish first)."""
    shutil.copytree(base, index)
    t0 = time.perf_counter()
    subprocess.run(clean_run, check=True, capture_output=True)
    seconds = time.perf_counter() - t0
    rng = random.Random(seed)

    def each() -> Iterator[tuple[int, float]]:
        for k in range(kills):
            shutil.rmtree(index, ignore_errors=True)
            shutil.copytree(base, index)
            yield k, rng.uniform(earliest, 1.1 * seconds)

    return seconds, each()


def _table(title: str, counts: dict[str, int]) -> str:
    """The counts as a Markdown table."""
    return f"| {title} | count |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in counts.items())


def summary(trials: list[Trial]) -> str:
    """The totals table."""
    by = Counter((t.signal, t.phase) for t in trials)
    lines = [
        "",
        f"kills: {len(trials)} ("
        + ", ".join(f"{s} during {p}: {n}" for (s, p), n in sorted(by.items()))
        + ")",
        f"runs that did not exit after the signal: {sum(t.hung for t in trials)}",
        f"orphan processes: {sum(t.orphans for t in trials)}",
        f"stale locks: {sum(t.stale_lock for t in trials)}",
        f"index failed to open: {sum(not t.opens for t in trials)}",
        f"committed articles lost or changed: {sum(t.lost + t.changed for t in trials)}",
        f"next run failed: {sum(not t.next_run_ok for t in trials)}",
        f"articles missing after the next run: {sum(t.missing_after_next for t in trials)}",
        f"stray bytes after the next run: {sum(t.stray_bytes for t in trials)}",
        f"tracebacks shown: {sum('traceback on stderr' in t.notes for t in trials)}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
