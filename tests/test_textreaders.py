"""Page text, plain text and header-block readers, on the project's own samples."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import newssearch as ns
from newssearch.ingest import credits, outlets
from newssearch.ingest.pagetext import looks_like_page
from newssearch.ingest.textlines import classify, split_blocks

from tests.helpers import DATA, EXAMPLES

UTC = timezone.utc


def one(path):
    (article,) = ns.read_path(path)
    return article


def test_page_text_strips_chrome_and_finds_metadata():
    a = one(EXAMPLES / "pages" / "harbour-bridge-reopens.txt")
    assert a.title == "Harbour bridge reopens after eight months of repairs"
    assert a.published == datetime(2024, 3, 14, 7, 15, tzinfo=UTC) and not a.tz_assumed
    assert a.source == "Northbay Courier"
    assert a.authors == ("Marta Lindqvist", "Jonas Ek")
    assert a.agencies == ("AFP",)
    assert a.body.startswith("The Old Harbour bridge reopened")
    assert a.body.endswith("during a routine survey.")
    for chrome in ("Share on Facebook", "Follow us", "Most Read", "Storm warning", "2024-03-15", "Search", "By Marta"):
        assert chrome not in a.body


def test_page_text_from_another_layout():
    a = one(DATA / "other-site-page.txt")
    assert a.title == "River levels fall as flood defences hold in the south"
    # "First published" wins over "Updated"
    assert a.published == datetime(2023, 5, 12, 6, 5, tzinfo=UTC)
    assert a.authors == ("Sam Okafor",)
    assert a.source == "The Daily Example"
    assert a.agencies == ("AP",)
    assert a.body.startswith("Water levels on the lower river")
    assert a.body.endswith("according to AP.")
    for chrome in ("Advertisement", "Related stories", "Heavy rain warning", "Share this", "©", "Subscribe", "Home | World"):
        assert chrome not in a.body


PAGE = """Home >> World >> Example Daily

Dam talks stall over water rights in the river valley

{dateline}

Negotiators from the three provinces left the talks on Thursday without an agreement on how to share water from the reservoir, officials said.

The dam, finished last year, holds enough water to irrigate the valley through two dry summers, but the downstream provinces say the upstream operator keeps too much of it back.

Talks are due to resume next month in the regional capital, where mediators hope to agree at least on a schedule for releases during the spring planting season.

Follow us on Twitter
"""


def page_with(tmp_path, dateline):
    path = tmp_path / "page.txt"
    path.write_text(PAGE.format(dateline=dateline), encoding="utf-8")
    return one(path)


def test_a_one_word_label_beside_the_date_is_not_an_author(tmp_path):
    # a page template may put any label before its date line ("Link [...]",
    # "Source [...]", "Stand: ..."); a lone word is a label or an agency, never
    # a byline, which names a person with two words or says "By"
    for label in ("Link", "Source", "Stand:", "Datum"):
        a = page_with(tmp_path, f"{label} [2023-05-04 09:15:00]")
        assert a.published == datetime(2023, 5, 4, 9, 15, tzinfo=UTC), label
        assert a.authors == () and a.agencies == (), label
        assert a.title == "Dam talks stall over water rights in the river valley"
    assert page_with(tmp_path, "Reuters May 4, 2023 9:15 AM").agencies == ("Reuters",)
    assert page_with(tmp_path, "Jane Doe May 4, 2023 9:15 AM").authors == ("Jane Doe",)
    assert page_with(tmp_path, "By Okafor 4 May 2023").authors == ("Okafor",)


def test_plain_text_takes_headline_and_folder_section():
    # the section is the sub-folder, below the folder being indexed
    (a,) = [x for x in ns.read_path(EXAMPLES / "text") if "comet" in x.path]
    assert a.title == "Amateur astronomers spot comet missed by survey telescopes"
    assert a.section == "science"
    # a file named on its own, or directly in the folder named, has no section from folders
    assert one(EXAMPLES / "text" / "science" / "comet-survey.txt").section is None
    assert {x.section for x in ns.read_path(EXAMPLES / "text" / "science")} == {None}
    assert a.published is None and a.date_source is None
    assert a.body.count("\n\n") == 3


def test_header_block_reader():
    a = one(EXAMPLES / "wire" / "port-strike-talks")
    assert a.title == "Dock workers and port operators resume talks to end strike"
    assert a.authors == ("Ana Ferreira",)
    assert a.published == datetime(2024, 10, 8, 22, 45, tzinfo=UTC)
    assert a.url == "https://news.example.org/world/2024/10/08/port-strike-talks"
    assert a.agencies == ("Reuters",)
    assert a.date_source == "header"
    paragraphs = a.body.split("\n\n")
    assert paragraphs[0].startswith("LISBON (Reuters) - Dock workers") and paragraphs[0].endswith("the union said.")
    assert len(paragraphs) == 4


def test_header_fields_are_recognised_by_content(tmp_path):
    p = tmp_path / "story"
    p.write_text("-- Title only then url\n-- https://example.com/a\n-- Tue Oct 8, 2024 6:45pm EDT\n\nBody.\n")
    a = one(p)
    assert a.url == "https://example.com/a" and a.published == datetime(2024, 10, 8, 22, 45, tzinfo=UTC)


def test_split_blocks_rejoins_hard_wrapped_text_but_not_menus():
    wrapped = "This is a line of wrapped prose that goes on\nand continues on the next line of the\nparagraph until it ends."
    assert split_blocks(wrapped) == [" ".join(wrapped.split())]
    menu = "World\nPolitics\nBusiness\nSport"
    assert split_blocks(menu) == ["World", "Politics", "Business", "Sport"]


def test_classify_chrome_lines():
    for line in ("Share on Facebook", "Follow us on Twitter", "Most Read", "Advertisement", "Related stories",
                 "© 2023 Example Ltd. All rights reserved.", "Image credit: Example", "Skip to main content"):
        assert classify(line).kind == "chrome", line
    assert classify("Home >> News >> Sofia News Agency").kind == "crumb"
    assert classify("2024-09-22 10:40:25").kind == "stamp"
    assert classify("By Jane Doe and John Roe").kind == "byline"
    assert classify("A sentence that is long enough to be the body of an article.").kind == "text"


def test_plain_articles_are_not_mistaken_for_pages():
    text = "Headline\n\n" + "\n\n".join(["A paragraph of real prose that ends like a sentence."] * 3)
    assert not looks_like_page(text)
    assert looks_like_page("Home > World > Europe\n\n" + text)


def test_credits_positions():
    assert credits.find_agencies("LONDON (Reuters) - Markets fell.") == ["Reuters"]
    assert credits.find_agencies("Prices rose, Reuters reports. Later, according to AFP, they fell.") == ["Reuters", "AFP"]
    assert credits.find_agencies("The deal was agreed. /BNR") == ["BNR"]
    assert credits.find_agencies("The news agency Xinhua said the plant opened.") == ["Xinhua"]
    # names that are not credits in that position
    assert credits.find_agencies("Reuters is a news company. He read AP Stylebook.") == []
    assert credits.find_agencies("Airline Partners Australia (APA), a consortium, said APA said no.") == []
    assert credits.find_agencies("Euronext ENXT.PA said on Thursday it would grow.") == []


def test_bylines():
    assert credits.authors_from_byline("By Jane Doe and John Roe") == ["Jane Doe", "John Roe"]
    assert credits.authors_from_byline("By  Foo Yun Chee  and Miyoung Kim") == ["Foo Yun Chee", "Miyoung Kim"]
    assert credits.authors_from_byline("BY JANE DOE, Reuters") == ["Jane Doe"]
    assert credits.authors_from_byline("By the way this is not a byline at all, really.") is None
    assert credits.authors_from_byline("Not a byline") is None
    assert credits.authors_from_text("Text. (Reporting by Dan Wilchins; Editing by Tim Dobbyn)") == ["Dan Wilchins"]


def test_outlets_from_urls():
    assert outlets.outlet_from_url("http://www.reuters.com/article/x") == "Reuters"
    assert outlets.outlet_from_url("https://news.bbc.co.uk/1/hi/world/x.stm") == "BBC"
    assert outlets.outlet_from_url("https://www.example.org/a") == "example.org"
    assert outlets.section_from_url("http://www.reuters.com/article/companyNewsAndPR/idUSTP131572") == "companyNewsAndPR"
    assert outlets.section_from_url("http://www.reuters.com/article/2007/06/18/us-ici-akzo-idUSL18") is None


_TEMPLATE = """Skip to main content
{nav}
Sign in

{title}

{date}

{body}

{last}

Most Read
1. Storm closes airport
Share this article
"""

_BODY = (
    "Dock workers at the country's largest container port voted on Thursday to end a week-long strike after"
    " the union and port operators agreed a pay rise of 6 percent over two years.\n\n"
    "The strike had left dozens of container ships waiting at anchor and disrupted deliveries of fuel and"
    " grain to the capital, officials said."
)


@pytest.mark.parametrize(
    ("date", "nav", "last", "agencies"),
    [
        ("27 January 2022 | 13:34 GMT", "Home | World | Business | Markets | Sport | Culture | Opinion", "Talks resume on Friday. - AFP", ("AFP",)),
        ("January 27, 2022 \u2022 1:34 PM GMT", "News | Markets | Tech", "(Reporting by Ana Ferreira; Editing by Tom Brown)", ()),
        ("27.01.2022 - 13:34 GMT", "Home :: World :: Sport", "Operators said work would resume on Monday.", ()),
    ],
)
def test_page_text_of_other_templates(tmp_path, date, nav, last, agencies):
    # a pipe-separated navigation bar was taken as the headline, a date line
    # with a separator between date and time was not read, and a short last
    # paragraph ending in an agency credit was dropped
    page = tmp_path / "page.txt"
    title = "Port workers end strike after pay deal is agreed"
    page.write_text(_TEMPLATE.format(nav=nav, title=title, date=date, body=_BODY, last=last))
    (article,) = ns.read_path(page, format="page")
    assert article.title == title
    assert article.published == datetime(2022, 1, 27, 13, 34, tzinfo=timezone.utc) and not article.tz_assumed
    assert article.body.endswith(last) and article.body.startswith("Dock workers")
    assert article.agencies == agencies
