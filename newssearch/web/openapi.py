"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Written out rather than generated from the endpoints' docstrings: the
parameters are read by :mod:`.params` (not declared to the framework), and
the bodies are the CLI's JSON shapes, so the description is built from the
same lists (:data:`~newssearch.web.params.SEARCH_PARAMS`, the CLI's
:data:`~newssearch.cli.fields.FIELDS`) that the code uses, and a test checks
that every route is described and that real answers have the keys described.
"""

from __future__ import annotations

from typing import Any

from ..cli.fields import FIELDS
from ..search.request import FACET_FIELDS, SORTS
from ..search.timeline import PERIODS
from ..version import __version__
from .params import (
    ALERT_PARAMS,
    DOWNLOAD_PARAMS,
    FACET_PARAMS,
    FEED_PARAMS,
    SEARCH_PARAMS,
    SIMILAR_PARAMS,
    SUGGEST_PARAMS,
    TIMELINE_PARAMS,
)

__all__ = ["describe"]

_PARAMS: dict[str, tuple[dict[str, Any], str]] = {
    "q": ({"type": "string", "maxLength": 4096}, "The query, in newssearch's query language (words, \"phrases\", AND, OR, NOT, field:value, dates); empty for every article."),
    "match": ({"enum": ["all", "any"], "default": "all"}, "all: every plain word is required; any: any of them, those with more first."),
    "names": ({"type": "boolean", "default": True}, "Also find a name written in another script (Brexit / Брекзит) by its name key; false asks only the words as written."),
    "since": ({"type": "string"}, "Published at or after: 2022-01-27, '27 Jan 2022 14:00 CET', yesterday, '3 days ago', 2w."),
    "until": ({"type": "string"}, "Published up to (a bare date includes the whole day)."),
    "now": ({"type": "string"}, "The clock of the search: relative dates are read against it, nothing published after it matches."),
    "tz": ({"type": "string", "default": "UTC"}, "The zone dates are read in and timelines count in (IANA name or offset)."),
    "source": ({"type": "array", "items": {"type": "string"}}, "Only this outlet (repeat for several)."),
    "section": ({"type": "array", "items": {"type": "string"}}, "Only this section (repeat for several)."),
    "agency": ({"type": "array", "items": {"type": "string"}}, "Only articles crediting this agency (repeat for several)."),
    "lang": ({"type": "array", "items": {"type": "string"}}, "Only articles in this language, an ISO 639-1 code (repeat, or comma-separated)."),
    "sort": ({"enum": list(SORTS)}, "relevance (the default), date (newest first; the default without a query), oldest, recency."),
    "half_life": ({"type": "string", "default": "7d"}, "With sort=recency: how fast freshness fades."),
    "page": ({"type": "integer", "minimum": 1}, "Which page of `size` hits (1-based; not with offset)."),
    "size": ({"type": "integer", "minimum": 0, "maximum": 100, "default": 10}, "Hits per page (at most the server's limit, 100 by default)."),
    "offset": ({"type": "integer", "minimum": 0}, "Hits to skip (offset + size at most 10,000)."),
    "facets": ({"type": "array", "items": {"enum": list(FACET_FIELDS)}}, "Fields to count over every match (repeat, or comma-separated)."),
    "all_copies": ({"type": "boolean", "default": False}, "List every copy of a story instead of one hit per story."),
    "explain": ({"type": "boolean", "default": False}, "Attach how each score was built."),
    "timeout": ({"type": "number", "exclusiveMinimum": 0}, "Seconds the search may run (at most, and by default, the server's budget)."),
    "by": ({"enum": list(PERIODS), "default": "week"}, "The period counted."),
    "after": ({"type": "integer", "minimum": 0, "default": 0}, "Only alerts after this one (the `last` of the previous answer)."),
}
#: The parameters of search-as-you-type, which mean something else there.
_SUGGEST: dict[str, tuple[dict[str, Any], str]] = {
    "q": ({"type": "string", "maxLength": 4096}, "What is typed so far (a trailing space: the last word is whole)."),
    "size": ({"type": "integer", "minimum": 1, "maximum": 20, "default": 10}, "How many completions."),
}


def _param(name: str, where: str = "query", table: dict[str, tuple[dict[str, Any], str]] = _PARAMS) -> dict[str, Any]:
    schema, text = table[name]
    found: dict[str, Any] = {"name": name, "in": where, "description": text, "schema": schema}
    if schema.get("type") == "array":
        found.update(style="form", explode=True)
    return found


def _path_param(name: str, text: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": text, "schema": {"type": "string"}}


def _object(keys: list[str] | tuple[str, ...], **typed: Any) -> dict[str, Any]:
    """An object schema whose ``keys`` are required (the CLI's shapes never drop a key); ``typed``
    describes some of them, and optional keys beside them (``facets``, only when asked for)."""
    return {"type": "object", "required": list(keys), "properties": {k: typed.get(k, {}) for k in [*keys, *typed]}}


_HIT_KEYS = [name for name in FIELDS if name != "explanation"]
_ARTICLE_KEYS = ["id", "title", "url", "source", "agencies", "authors", "section", "language", "language_source", "site", "published", "tz_assumed", "date_source", "path", "body"]
_SCHEMAS: dict[str, Any] = {
    "Error": _object(["error"], error=_object(["type", "message"], type={"type": "string"}, message={"type": "string"})),
    "Hit": _object(_HIT_KEYS, id={"type": "string"}, title={"type": "string"}, published={"type": ["string", "null"], "format": "date-time"}, rank={"type": "integer"}, score={"type": "number"}),
    "Search": _object(
        ["query", "total", "articles", "offset", "shown", "warnings", "fallback", "suggestion", "hits"],
        total={"type": "integer", "description": "Stories matching (articles with all_copies)."},
        articles={"type": "integer"},
        hits={"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        facets={"type": "object", "description": "Only when facets are asked for: field -> value -> articles."},
        suggestion={"type": ["string", "null"], "description": "Did you mean: the query with misspelled words corrected."},
    ),
    "Facets": _object(["query", "total", "articles", "warnings", "facets"]),
    "Hits": _object(["hits"], hits={"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}),
    "Article": _object(_ARTICLE_KEYS),
    "Timeline": _object(["query", "by", "tz", "total", "undated", "buckets", "warnings"], buckets={"type": "array", "items": _object(["start", "count"])}),
    "Stats": _object(["index", "articles", "earliest", "latest", "undated", "outlets", "size_bytes", "segments", "deleted", "shards"]),
    "Saved": _object(["name", "query", "options", "created", "unread"]),
    "SavedList": _object(["saved"], saved={"type": "array", "items": {"$ref": "#/components/schemas/Saved"}}),
    "Suggestions": _object(
        ["query", "suggestions"],
        query={"type": "string"},
        suggestions={"type": "array", "items": _object(["text", "kind", "weight"], text={"type": "string"}, kind={"enum": ["outlet", "name", "phrase", "word"]}, weight={"type": "number"})},
    ),
    "OpenSearchSuggestions": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                              "description": "[what was typed, [completions]], as browsers ask an OpenSearch engine."},
    "Alerts": _object(
        ["alerts", "last"],
        alerts={"type": "array", "items": _object(["saved", "alert", "matched", "id", "title", "url", "source", "published", "agencies", "section", "snippet", "story"])},
        last={"type": ["integer", "null"]},
    ),
}
#: Which errors each kind of address answers, besides 200.
_ERRORS = {
    400: "A query that cannot be read, or a bad or unknown parameter (the message names it).",
    401: "The server needs its read token (Authorization: Bearer TOKEN, or ?token=).",
    413: "The request's address or body is over the server's limits.",
    503: "The index cannot be read just now (missing, damaged, locked): the message says why; ask again after Retry-After.",
}


def _get(summary: str, schema: str, params: list[dict[str, Any]], *, searches: bool = False, finds: bool = False) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    errors = dict(_ERRORS)
    if finds:
        errors[404] = "No such article or saved search."
    if searches:
        errors[504] = "The search ran past its time budget (timeout): a cheaper query or more time."
    for status, text in sorted(errors.items()):
        responses[str(status)] = {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"get": {"summary": summary, "parameters": params, "responses": responses}}


def _get_file(summary: str, media_type: str, schema: dict[str, Any], params: list[dict[str, Any]], *, searches: bool = False,
              finds: bool = False, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An address whose answer is not a JSON object: a feed, a description, a download."""
    described = _get(summary, "Error", params, searches=searches, finds=finds)
    ok: dict[str, Any] = {"description": "OK", "content": {media_type: {"schema": schema}}}
    if headers:
        ok["headers"] = headers
    described["get"]["responses"]["200"] = ok
    return described


_DOWNLOAD_HEADERS = {
    "Content-Disposition": {"description": "attachment; filename=\"newssearch-<query>.<extension>\"", "schema": {"type": "string"}},
    "X-Newssearch-Rows": {"description": "How many rows follow.", "schema": {"type": "integer"}},
    "X-Newssearch-Truncated": {"description": "Only when the server's row cap (10,000) left matches out: says how many.", "schema": {"type": "string"}},
}


_WRITE_ERRORS = {
    401: "The write token is missing or wrong (Authorization: Bearer TOKEN).",
    403: "Writes are off: the server was started without --write-token.",
    503: "The index cannot be written just now: locked by index or follow for longer than the 2 s a delete waits; ask again after Retry-After.",
}


def _write(method: str, summary: str, schema: str, params: list[dict[str, Any]], *, status: int = 200, body: str | None = None,
           errors: dict[int, str]) -> dict[str, Any]:
    """A write: needs the write token (``writeToken``), answers ``status`` with ``schema``, or an error."""
    responses: dict[str, Any] = {str(status): {"description": "Done", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    for code, text in sorted({**_WRITE_ERRORS, **errors}.items()):
        responses[str(code)] = {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    described: dict[str, Any] = {"summary": summary, "parameters": params, "security": [{"writeToken": []}], "responses": responses}
    if body:
        described["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}}}
    return {method: described}


_SCHEMAS["NewSaved"] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 100, "description": "Letters, digits, spaces and . : @ + - _"},
        "query": {"type": "string", "maxLength": 4096, "description": "The query, as for search; empty for every article."},
        **{key: _PARAMS[key][0] for key in ("since", "until", "tz", "source", "section", "agency", "lang", "sort", "match", "half_life")},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "description": "For running it (alerts are never limited)."},
        "replace": {"type": "boolean", "default": False, "description": "Replace a saved search of that name (else 409)."},
    },
}
_SCHEMAS["Removed"] = _object(["removed"], removed={"type": "string"})
_SCHEMAS["Deleted"] = _object(["deleted"], deleted={"type": "string", "description": "The id of the article deleted."})


def describe() -> dict[str, Any]:
    """The OpenAPI document."""
    article_id = _path_param("article_id", "An article's id, or a unique prefix of it.")
    name = _path_param("name", "A saved search's name.")
    paths = {
        "/api/search": _get("Search: one page of hits, the exact total, facets when asked.", "Search", [_param(p) for p in SEARCH_PARAMS], searches=True),
        "/api/facets": _get("Counts per field value over every match.", "Facets", [_param(p) for p in FACET_PARAMS], searches=True),
        "/api/timeline": _get("Matching stories per period.", "Timeline", [_param(p) for p in TIMELINE_PARAMS], searches=True),
        "/api/articles/{article_id}": _get("One article in full.", "Article", [article_id], finds=True)
        | _write("delete", "Delete one article, named by its full id (deleting by a query stays on the command line).", "Deleted",
                 [_path_param("article_id", "The article's full id.")], errors={400: "A prefix of an id rather than the id.", 404: "No article with that id."}),
        "/api/articles/{article_id}/similar": _get("The stories most like an article.", "Hits", [article_id, *(_param(p) for p in SIMILAR_PARAMS)], searches=True, finds=True),
        "/api/stats": _get("What the index holds.", "Stats", []),
        "/api/saved": _get("The saved searches, with their unread alerts counted.", "SavedList", [])
        | _write("post", "Save a search, as 'newssearch saved add' does (its checks and messages).", "Saved", [], status=201, body="NewSaved",
                 errors={400: "A bad name, field, option, date or query (the message names it).", 409: "A search is saved under that name (send replace: true to replace it)."}),
        "/api/saved/{name}": _get("One saved search.", "Saved", [name], finds=True)
        | _write("delete", "Forget a saved search and its alerts.", "Removed", [name], errors={404: "No saved search of that name."}),
        "/api/saved/{name}/alerts": _get("A saved search's alerts, oldest first (none is marked read).", "Alerts", [name, *(_param(p) for p in ALERT_PARAMS)], finds=True),
        "/api/suggest": _get("Search-as-you-type: completions of what is typed (headline words, phrases, names, outlets).", "Suggestions",
                             [_param(p, table=_SUGGEST) for p in SUGGEST_PARAMS]),
        "/suggest": _get_file("The same completions as OpenSearch suggestions: [query, [completions]].", "application/x-suggestions+json",
                              {"$ref": "#/components/schemas/OpenSearchSuggestions"}, [_param(p, table=_SUGGEST) for p in SUGGEST_PARAMS]),
        "/feed": _get_file("An Atom 1.0 feed of the newest 50 stories a search matches.", "application/atom+xml", {"type": "string"},
                           [_param(p) for p in FEED_PARAMS], searches=True),
        "/saved/{name}/feed": _get_file("An Atom 1.0 feed of a saved search's newest 50 alerts (none is marked read).", "application/atom+xml",
                                        {"type": "string"}, [name], finds=True),
        "/opensearch.xml": _get_file("The OpenSearch description: the search page, suggestions and feed templates.",
                                     "application/opensearchdescription+xml", {"type": "string"}, []),
        "/api/search.csv": _get_file("Every hit of a search (up to the row cap) as CSV, as 'search --csv' writes it; streamed.", "text/csv",
                                     {"type": "string"}, [_param(p) for p in DOWNLOAD_PARAMS], searches=True, headers=_DOWNLOAD_HEADERS),
        "/api/search.jsonl": _get_file("Every matching article in full (up to the row cap) as JSON Lines, as 'newssearch export' writes it; streamed.",
                                       "application/jsonl", {"type": "string"}, [_param(p) for p in DOWNLOAD_PARAMS], searches=True, headers=_DOWNLOAD_HEADERS),
        "/api/openapi.json": {"get": {"summary": "This description.", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "newssearch", "version": __version__, "description": "Full-text search over a news archive: the JSON API of 'newssearch serve'."},
        "paths": paths,
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "readToken": {"type": "http", "scheme": "bearer", "description": "Only when the server was started with --read-token; ?token= works too."},
                "writeToken": {"type": "http", "scheme": "bearer", "description": "Every write; writes are off (403) unless the server was started with --write-token. It reads too."},
            },
        },
    }
