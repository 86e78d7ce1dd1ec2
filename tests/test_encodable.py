"""Text that can always be encoded (newssearch.encodable), and the model applying it to every article."""

from __future__ import annotations

import json

import newssearch as ns
from newssearch.encodable import encodable, encodable_charrefs


def test_lone_surrogates_become_the_replacement_character_and_pairs_are_joined() -> None:
    assert encodable("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert encodable("smile \ud83d\ude00") == "smile \U0001f600"  # a pair spells one character
    assert encodable("\udc00\ud800") == "\ufffd\ufffd"  # the wrong order is no pair
    assert encodable("fjord \u00e9t\u00e9 \U0001f600").encode("utf-8")


def test_clean_text_is_returned_as_it_is() -> None:
    text = "Zürich " * 1000
    assert encodable(text) is text


def test_character_references_that_name_no_character_are_replaced() -> None:
    markup = b"<t>&#xD800; &#55296; &#xdfff; &#x110000; &#1114112; &#99999999999999999999; &#x00000000000000000D800;</t>"
    assert encodable_charrefs(markup) == b"<t>" + b" ".join([b"&#xFFFD;"] * 7) + b"</t>"
    fine = b"<t>&#233; &#xE9; &#x1F600; &#xFFFD; &amp; &#x10FFFF;</t>"
    assert encodable_charrefs(fine) == fine


def test_every_article_field_of_text_is_encodable_however_the_article_was_built() -> None:
    article = ns.Article(
        title="Bad \ud800 title", body="Body \udfff.", url="https://a.example/\ud800", source="Herald \ud800",
        section="City \udc00", language="e\ud800n", agencies=("AP\ud800",), authors=("Ann \udfff",),
    )
    shown = [article.title, article.body, article.url, article.source, article.section, article.language, *article.agencies, *article.authors]
    assert all("\ufffd" in text for text in shown)
    json.dumps(shown, ensure_ascii=False).encode("utf-8")  # prints and stores: no UnicodeEncodeError


def test_an_article_with_a_lone_surrogate_is_indexed_searched_and_printed(tmp_path) -> None:
    ix = ns.create_index(tmp_path / "ix")
    with ix.writer() as w:
        w.add(ns.Article(title="Lone \ud800 surrogate", body="The ferry \udfff crossed the harbour."))
    (hit,) = ix.search("ferry harbour").hits
    assert hit.article.title == "Lone \ufffd surrogate"
    assert hit.article.body.encode("utf-8")
    ix.close()
