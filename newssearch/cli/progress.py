"""The progress display of ``newssearch index``: how far the run is, in
percent of the input's bytes, with the files and articles read and the
time left, then what it is doing once reading is over.

Drawn by tqdm (a well-kept library used by millions of scripts: it fits
the bar to the window, smooths the rate behind the time left, and erases
its line cleanly) on stderr, only when stderr is a terminal and ``-q`` is
not given: a pipe or a log file gets no progress at all. Only ``index``
imports this module (tqdm is not loaded by a search).

The total is known before the first article is read: the files are
listed and their sizes summed first (the same walk that reads them, so
skipped files are not counted; 0.8 s for the 14,384 Reuters 2006-07
files on a busy 2-core machine, shown as "listing the input...").
Progress is in bytes, so a big file weighs what it takes to read, and
inside one big streamed file (a WARC archive, a JSON Lines or CSV file,
gzipped or not) the position reached in it counts too. Reading stdin
(``-``), the size is unknown: files and articles are counted without a
percentage.

After the last article, the writer commits: the writer processes finish
their segments, the segments are merged and the saved searches matched,
which takes seconds on a large run (19 s to over a minute for Reuters
2006-07, by the machine's load). The display then says so (``committing
14,384 articles and merging segments... 6 s``), its clock kept running
by a thread, so that it never sits frozen as if hung.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING

from tqdm import tqdm

from ..ingest import Source, iter_sources
from ..write.transaction import IndexReport
from .terminal import showing

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["IndexProgress", "input_size"]

#: The bar while reading (total known), and without a total (stdin).
_WITH_TOTAL = "{percentage:3.0f}%|{bar}| {desc} [{elapsed}<{remaining}]"
_WITHOUT_TOTAL = "{desc} [{elapsed}]"


class _Bar(tqdm):  # type: ignore[misc]  # tqdm is untyped
    """tqdm without its monitor thread: a thread alive while the writer
    forks its processes is best avoided, and redraws are ours to ask for."""

    monitor_interval = 0


def input_size(paths: Sequence[str], follow_links: bool = False) -> tuple[int, int] | None:
    """The files and bytes ``index`` will read under ``paths`` (listed the
    way :func:`~newssearch.ingest.read_path` lists them, ``follow_links``
    as it is given), or None when one is ``-`` (stdin's size is unknown
    until it is read)."""
    if "-" in paths:
        return None
    files = size = 0
    for item in iter_sources(paths, follow_links=follow_links):
        if isinstance(item, Source) and item.path is not None:
            try:
                size += item.path.stat().st_size
            except OSError:  # gone or unreadable: reading it reports the problem
                continue
            files += 1
    return files, size


class IndexProgress:
    """The display of one ``index`` run (a no-op when not ``enabled``).

    Used as a context manager around the run: :meth:`start` once the
    writer holds the index (nothing shows while it waits for another
    writer's lock), :meth:`opened` as each file is opened, :meth:`tick`
    after each article, :meth:`stage` when reading is over; leaving the
    block erases the line, so the run's report (or "Interrupted: ...")
    starts on a clean line.
    """

    def __init__(self, paths: Sequence[str], *, enabled: bool, follow_links: bool = False) -> None:
        self.enabled = enabled
        self._paths = paths
        self._follow_links = follow_links
        self._bar: _Bar | None = None
        self._files: int | None = None  # how many files the run reads, when known
        self._done = 0  # bytes of the files read to their end
        self._current: Source | None = None
        self._current_size = 0
        self._last = 0.0
        self._stage: tuple[str, float] | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._screen = threading.Lock()  # held from clear() to redraw(), so the clock cannot draw over a message
        self._exits = ExitStack()

    def __enter__(self) -> Self:
        return self

    def start(self) -> None:
        """List the input and sum its size ("listing the input..."), then show the bar."""
        if not self.enabled or self._bar is not None:
            return
        self._bar = _Bar(file=sys.stderr, leave=False, dynamic_ncols=True, mininterval=0.2, bar_format="{desc}", desc="listing the input...")
        self._exits.enter_context(showing(self))
        counted = input_size(self._paths, self._follow_links)
        if counted is not None and counted[1]:
            self._files, self._bar.total = counted
            self._bar.bar_format = _WITH_TOTAL
        else:
            self._bar.bar_format = _WITHOUT_TOTAL
        self._bar.set_description_str("reading", refresh=False)
        self._bar.reset(total=self._bar.total)  # the clock starts with reading, not with the listing

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.close()  # leave=False: erases the line
            self._bar = None
        self._exits.close()

    # -- what the run reports ---------------------------------------------------

    def opened(self, source: Source, report: IndexReport) -> None:
        """A file is opened: the one before it is read to its end."""
        if self._bar is None:
            return
        self._done += self._current_size
        self._current = source
        self._current_size = 0
        if source.path is not None:
            try:
                self._current_size = source.path.stat().st_size
            except OSError:
                pass
        self.tick(report)

    def tick(self, report: IndexReport, force: bool = False) -> None:
        """Show the files and articles read so far (at most five times a
        second, as tqdm redraws; ``force`` draws now)."""
        if self._bar is None:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.2:
            return
        self._last = now
        within = self._current.bytes_read() if self._current is not None else 0
        position = self._done + min(within, self._current_size)
        files = f"{report.files:,}/{self._files:,}" if self._files is not None else f"{report.files:,}"
        plural = "" if (self._files if self._files is not None else report.files) == 1 else "s"
        self._bar.set_description_str(
            f"{files} file{plural}, {report.articles:,} article{'' if report.articles == 1 else 's'}", refresh=False
        )
        if self._bar.total:
            position = min(position, self._bar.total)
        self._bar.update(max(0, position - self._bar.n))
        if force:
            self._bar.refresh()

    def stage(self, what: str) -> None:
        """Reading is over; the run is doing ``what`` (``committing 14,384
        articles``): shown with its seconds, which a thread keeps counting."""
        if self._bar is None:
            return
        if self._bar.total:
            self._bar.update(self._bar.total - self._bar.n)
        self._bar.bar_format = "{desc}"
        self._stage = (what, time.monotonic())
        self._show_stage()
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._keep_time, name="progress clock", daemon=True)
            self._ticker.start()

    def _show_stage(self) -> None:
        with self._screen:
            if self._bar is None or self._stage is None:
                return
            what, since = self._stage
            self._bar.set_description_str(f"{what}... {time.monotonic() - since:.0f} s", refresh=True)

    def _keep_time(self) -> None:
        while not self._stop.wait(1.0):
            self._show_stage()

    # -- the StatusLine protocol (see newssearch.cli.terminal.echo) ---------------

    def clear(self) -> None:
        """Erase the line before a message is printed (until :meth:`redraw`,
        the clock thread does not draw)."""
        self._screen.acquire()
        if self._bar is not None:
            self._bar.clear()

    def redraw(self) -> None:
        """Draw the line again under the message."""
        try:
            if self._bar is not None:
                self._bar.refresh()
        finally:
            self._screen.release()
