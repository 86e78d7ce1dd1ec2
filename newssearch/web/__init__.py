"""``newssearch serve``: the index over HTTP, as a JSON API (pages come later).

One job a module, in the order a request meets them: :mod:`.server` runs
uvicorn and bounds its connections; :mod:`.app` holds the routes, behind
:mod:`.accesslog` (one line per request) and :mod:`.guard` (size and token);
each endpoint reads its parameters with :mod:`.params` (no web framework
there: the pages will read theirs the same way), uses the worker's index
through :mod:`.holder`, answers with the CLI's JSON shapes (:mod:`.encode`)
or an error mapped in :mod:`.problems`; :mod:`.openapi` describes it all and
:mod:`.config` carries the settings to every worker.

Needs the ``web`` extra (Starlette, uvicorn). Nothing is imported here, so
that :mod:`.params` and :mod:`.problems` load without it.
"""

__all__: list[str] = []
