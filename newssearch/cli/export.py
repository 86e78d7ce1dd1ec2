"""``newssearch export``: every matching article as JSON Lines, with its body.

``search`` shows pages of hits (at most :data:`~newssearch.search.request.MAX_LIMIT`
each); ``export`` is for taking everything a query matches elsewhere: no
cap, every copy of every story, one line per article as ``show --json``
prints it, in a stable order (oldest first, undated last, ties by id),
streamed from :meth:`NewsIndex.export <newssearch.index.NewsIndex.export>`
so that memory stays that of one article. The lines are JSON Lines that
``newssearch index`` reads back.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..index import open_index
from .exits import EXIT_NO_MATCH
from .options import (
    filter_options,
    index_option,
    names_option,
    search_request,
    timeout_option,
)
from .output import full_article_to_json
from .terminal import echo

__all__ = ["export_cmd"]


@click.command("export")
@click.argument("query", nargs=-1)
@index_option
@filter_options
@names_option
@timeout_option
def export_cmd(query: tuple[str, ...], index_dir: str | None, names: bool, timeout: float, **filters: Any) -> None:
    """Write every article the query and filters match (every copy of
    every story, no cap) as JSON Lines on stdout, one object per article
    with every field and the body, oldest first. The query and filters are
    those of 'search'; without either, the whole index. Exits 4 when
    nothing matches.

    \b
    Example:
      newssearch export '"Northern Rock"' --since 2007-09-01 > northern-rock.jsonl
      newssearch export --source Reuters | gzip > reuters.jsonl.gz
    """
    text = " ".join(query)
    request = search_request(text, filters, all_copies=True, snippets=False, names=names, timeout=timeout)
    written = 0
    with open_index(index_dir) as ix, ix.export(request) as found:
        for warning in found.warnings:
            echo(f"Warning: {warning}", err=True)
        if not len(found):
            what = f"for {text!r}" if text.strip() else "for these filters" if request.filters else "in the index"
            echo(f"No articles {what}.", err=True)
            sys.exit(EXIT_NO_MATCH)
        for article in found:
            click.echo(json.dumps(full_article_to_json(article), ensure_ascii=False))
            written += 1
    echo(f"Exported {written:,} article{'' if written == 1 else 's'}.", err=True)
