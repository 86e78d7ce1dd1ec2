"""The ``reanalyse`` command: an index's articles analysed again in place.

Thin over :meth:`newssearch.NewsIndex.reanalyse`: it shows how far the run
is (a tqdm line on stderr, only on a terminal and without ``-q``, as
``index`` shows its own), then one summary line, or one JSON object with
``--json``. Errors (a locked index, a damaged one) reach the group's one
handler in :mod:`newssearch.cli`.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from ..index import open_index
from ..paths import shown_path
from .options import index_option
from .terminal import echo, showing

if TYPE_CHECKING:
    from typing_extensions import Self

    from ..write.reanalyse import ReanalyseReport

__all__ = ["reanalyse_cmd", "summary"]


class _Bar(tqdm):  # type: ignore[misc]  # tqdm is untyped
    """tqdm without its monitor thread (the writer forks its processes)."""

    monitor_interval = 0


class _Display:
    """The progress line of one run (a no-op when not ``enabled``): articles
    written of those the index holds, then which commit it is waiting for.
    Implements the StatusLine protocol of :mod:`.terminal` so a message
    printed meanwhile does not land on the bar."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: _Bar | None = None
        self._last = 0.0
        self._showing = showing(self)
        # the commit's seconds, counted by a thread (the writer processes are
        # started by then): most of a large run is its commit, and a line that
        # sits still looks hung
        self._committing: tuple[str, float] | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._screen = threading.Lock()

    def __enter__(self) -> Self:
        if self.enabled:
            self._showing.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()  # leave=False: erases the line
            self._bar = None
        if self.enabled:
            self._showing.__exit__(exc_type, exc, tb)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            self._bar = _Bar(total=total, file=sys.stderr, leave=False, dynamic_ncols=True, mininterval=0.2, unit=" articles")
        now = time.monotonic()
        if stage == "committing":
            self._committing = (f"committing {done:,} articles and merging segments", now)
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._keep_time, name="progress clock", daemon=True)
                self._ticker.start()
        elif now - self._last < 0.2:
            return
        self._last = now
        with self._screen:
            self._bar.update(done - self._bar.n)
        self._show_commit()

    def _show_commit(self) -> None:
        with self._screen:
            if self._bar is None or self._committing is None:
                return
            what, since = self._committing
            self._bar.set_description_str(f"{what}... {time.monotonic() - since:.0f} s", refresh=True)

    def _keep_time(self) -> None:
        while not self._stop.wait(1.0):
            self._show_commit()

    def clear(self) -> None:
        """Erase the line before a message is printed (the clock waits until :meth:`redraw`)."""
        self._screen.acquire()
        if self._bar is not None:
            self._bar.clear()

    def redraw(self) -> None:
        """Draw the line again after the message."""
        try:
            if self._bar is not None:
                self._bar.refresh()
        finally:
            self._screen.release()


@click.command("reanalyse")
@index_option
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS", help="Wait this long for another writer to finish.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
def reanalyse_cmd(index_dir: str | None, wait: float, as_json: bool, quiet: bool) -> None:
    """Analyse every stored article again with this version's analysis, in
    place, from its stored text: an index written before analysis per
    language holds articles in every language in the English fields.

    Ids, stored fields, dates, stories and ingest sequences stay as they
    were (saved searches raise no alert for them); an article stored before
    languages had a provenance gets its language as 'index' resolves it.
    Runs under the write lock, one commit per index (per shard): killed,
    the index is as it was or wholly re-analysed. An index already analysed
    by this version is not read.

    \b
    Example:
      newssearch reanalyse --index archive/
    """
    with open_index(index_dir) as ix, _Display(enabled=not quiet and not as_json and sys.stderr.isatty()) as display:
        report = ix.reanalyse(timeout=wait, progress=display)
    if as_json:
        click.echo(json.dumps(report.as_dict() | {"path": shown_path(report.path)}, ensure_ascii=False))
        return
    echo(summary(report), err=True)


def summary(report: ReanalyseReport) -> str:
    """The one line a run ends with: what was written, what moved, how long."""
    where = shown_path(report.path)
    if report.already:
        return f"Nothing to do: {where} is already analysed by this version (analysis {report.analysis_version})."
    moved = "none" if not report.moved else ", ".join(f"{code} {n:,}" for code, n in report.moved_to.items())
    line = (
        f"Reanalysed {report.articles:,} article{'' if report.articles == 1 else 's'} in {where} in {report.elapsed:.1f} s;"
        f" moved to their language's fields: {report.moved:,} ({moved})"
    )
    if report.resolved:
        line += f"; language resolved for {report.resolved:,} stored before languages had a source"
    if report.shards_skipped:
        line += f"; {report.shards_skipped:,} shard{'' if report.shards_skipped == 1 else 's'} already done"
    if report.merge_problem:
        line += f"; merging the new segments failed ({report.merge_problem}): the next write merges them"
    return line + "."
