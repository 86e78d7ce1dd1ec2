"""The OpenSearch 1.1 description (``/opensearch.xml``): how a browser adds newssearch as a search engine.

It names three address templates, each under the server's own base URL
(its path prefix included, behind a proxy): the search page
(``search?q={searchTerms}``), the suggestions a browser shows as one types
(``suggest?q={searchTerms}``, answered as ``application/x-suggestions+json``:
``[query, [completions]]``), and the Atom feed of a search. Built with
:mod:`xml.etree.ElementTree`, so the base URL (which holds the request's
Host header) is escaped as it should be.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .atom import ATOM_TYPE, xml_text

__all__ = ["OPENSEARCH_TYPE", "SUGGESTIONS_TYPE", "description"]

#: The media type of the description.
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
#: The media type of the suggestions browsers ask for.
SUGGESTIONS_TYPE = "application/x-suggestions+json"
_NS = "http://a9.com/-/spec/opensearch/1.1/"


def description(base_url: str) -> bytes:
    """The description, every template under ``base_url`` (ending in ``/``)."""
    root = ET.Element("OpenSearchDescription", xmlns=_NS)  # declared once, every element unprefixed

    def add(tag: str, text: str | None = None, **attributes: str) -> None:
        node = ET.SubElement(root, tag, {k: xml_text(v) for k, v in attributes.items()})
        if text is not None:
            node.text = text

    add("ShortName", "newssearch")
    add("Description", "Search the news archive served by newssearch")
    add("InputEncoding", "UTF-8")
    add("OutputEncoding", "UTF-8")
    add("Url", type="text/html", method="get", template=f"{base_url}search?q={{searchTerms}}")
    add("Url", type=SUGGESTIONS_TYPE, method="get", template=f"{base_url}suggest?q={{searchTerms}}")
    add("Url", type=ATOM_TYPE, method="get", template=f"{base_url}feed?q={{searchTerms}}")
    add("Url", type=OPENSEARCH_TYPE, rel="self", template=f"{base_url}opensearch.xml")
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written
