"""The ``newssearch`` command: parse arguments, call the library, format.

Each command checks its input, makes one library call and prints. Errors are
handled once, in :class:`NewsSearchGroup`: a :class:`NewsSearchError` prints
``Error: ...`` on stderr and exits 1, usage errors exit 2 (click's default),
Ctrl-C exits 130. stdout carries results only; messages go to stderr.

The package, one job a module, with no cycle: the commands are defined in
modules that know nothing of the group (:mod:`.indexing`, :mod:`.upkeep`,
:mod:`.searching`, :mod:`.export`, :mod:`.saved`, :mod:`.follow`, :mod:`.serve`), over the shared options
(:mod:`.options`), the formatting (:mod:`.output`; :mod:`.fields` for what
scripts read) and the exit codes (:mod:`.exits`); this
module makes the group, names its commands (:data:`COMMANDS`, each module
imported when its command runs: :mod:`.lazy`), and handles their errors;
how a signal ends a run is :mod:`.signals`.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

import click

from ..errors import NewsSearchError, QuerySyntaxError, Terminated
from ..version import __version__
from .exits import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_NO_MATCH,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_TERMINATED,
    EXIT_USAGE,
    fail,
)
from .lazy import LazyCommands
from .signals import stop_on_signals
from .terminal import echo

if TYPE_CHECKING:
    from .output import (
        article_to_json,
        explanation_to_json,
        format_copies,
        format_explanation,
        format_facets,
        format_hit,
        hit_to_json,
    )

#: Formatters re-exported from :mod:`.output`, loaded on first use: output
#: loads the index (Whoosh, numpy), which ``--version``, ``--help`` and a
#: usage error do not need (issue 23).
_FROM_OUTPUT = frozenset({
    "article_to_json", "explanation_to_json", "format_copies", "format_explanation", "format_facets", "format_hit",
    "hit_to_json",
})


def __getattr__(name: str) -> Any:
    if name not in _FROM_OUTPUT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(".output", __name__), name)
    globals()[name] = value  # once: the next use is a plain attribute
    return value

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NO_MATCH",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "NewsSearchGroup",
    "Terminated",
    "article_to_json",
    "cli",
    "explanation_to_json",
    "format_copies",
    "format_explanation",
    "format_facets",
    "format_hit",
    "hit_to_json",
    "main",
]


class NewsSearchGroup(click.Group):
    """Maps every library error to one line on stderr and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn every error into one line on stderr and an exit code."""
        try:
            return super().invoke(ctx)
        except QuerySyntaxError as exc:
            fail(str(exc), EXIT_USAGE)  # query text it cannot read: the user's input, as a bad option is
        except NewsSearchError as exc:
            fail(str(exc))
        except KeyboardInterrupt as exc:
            echo("Interrupted: the index is as it was at its last commit.", err=True)
            sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
        except BrokenPipeError:
            # `newssearch search ... | head`: the reader left, nothing is wrong
            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            finally:
                sys.exit(EXIT_OK)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - a traceback shown to a user is a bug
            if os.environ.get("NEWSSEARCH_DEBUG"):
                raise
            fail(
                f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}. This is a bug in"
                " newssearch, not a problem with your input or index: please report it with the command"
                " you ran and the traceback that NEWSSEARCH_DEBUG=1 prints."
            )


@click.group(cls=NewsSearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newssearch")
def cli() -> None:
    """Full-text search for news articles.

    \b
    Example:
      newssearch index examples/
      newssearch search "minsk agreement" --since 2022-01-01
    """


#: Each command and where it is defined: its module loads when the command
#: runs (or ``--help`` lists it), not with the group (see :mod:`.lazy`).
COMMANDS: dict[str, tuple[str, str]] = {
    # writing and looking after an index
    "index": (".indexing", "index_cmd"),
    "delete": (".upkeep", "delete_cmd"),
    "check": (".upkeep", "check_cmd"),
    "stats": (".upkeep", "stats_cmd"),
    "compact": (".upkeep", "compact_cmd"),
    "reanalyse": (".reanalyse", "reanalyse_cmd"),
    # reading it
    "search": (".searching", "search_cmd"),
    "timeline": (".searching", "timeline_cmd"),
    "similar": (".searching", "similar_cmd"),
    "show": (".searching", "show_cmd"),
    "export": (".export", "export_cmd"),
    # the living archive
    "saved": (".saved", "saved_cmd"),
    "follow": (".follow", "follow_cmd"),
    # over HTTP
    "serve": (".serve", "serve_cmd"),
}
cli.commands = LazyCommands(__name__, COMMANDS)


def main() -> None:
    """Console-script entry point."""
    stop_on_signals()
    cli(prog_name="newssearch")
