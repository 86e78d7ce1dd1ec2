"""Who a story is credited to: wire agencies named in the text, and bylines.

News text credits agencies in a handful of conventional places: a dateline
(``LONDON (Reuters) -``), a reporting verb (``Reuters reports``,
``according to AFP``), or a closing tag (``/BNR``, ``/BTA/``). Matching an
agency's name anywhere would credit every story that merely mentions it, so
only those positions count.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

__all__ = ["AGENCIES", "authors_from_byline", "authors_from_text", "find_agencies", "unique"]

#: Canonical agency name -> the ways text spells it.
AGENCIES: dict[str, tuple[str, ...]] = {
    "Reuters": ("Reuters", "Thomson Reuters"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse", "France-Presse"),
    "BNR": ("BNR", "Bulgarian National Radio"),
    "BTA": ("BTA", "Bulgarian News Agency", "Bulgarian Telegraph Agency"),
    "DPA": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "ANSA": ("ANSA",),
    "EFE": ("EFE",),
    "Xinhua": ("Xinhua",),
    "TASS": ("TASS", "ITAR-TASS"),
    "RIA Novosti": ("RIA Novosti", "RIA"),
    "Interfax": ("Interfax",),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Yonhap": ("Yonhap",),
    "UPI": ("UPI", "United Press International"),
    "PA": ("PA", "Press Association", "PA Media"),
    "PTI": ("PTI", "Press Trust of India"),
    "ANI": ("ANI",),
    "IANS": ("IANS",),
    "Anadolu": ("Anadolu", "Anadolu Agency", "AA"),
    "Ukrinform": ("Ukrinform",),
    "UNIAN": ("UNIAN",),
    "AAP": ("AAP", "Australian Associated Press"),
    "CP": ("The Canadian Press",),
    "Dow Jones": ("Dow Jones", "Dow Jones Newswires"),
    "Lusa": ("Lusa",),
    "Europa Press": ("Europa Press",),
    "PAP": ("PAP",),
    "CTK": ("CTK",),
    "MTI": ("MTI",),
    "Agerpres": ("Agerpres",),
    "HINA": ("HINA",),
    "Tanjug": ("Tanjug",),
    "Belga": ("Belga",),
    "ANP": ("ANP",),
    "APA": ("APA",),
    "IRNA": ("IRNA",),
    "KUNA": ("KUNA",),
    "WAM": ("WAM",),
    "Bernama": ("Bernama",),
    "Antara": ("Antara",),
    "Focus": ("Focus News Agency",),
    "Sputnik": ("Sputnik",),
}

_ALIAS = {alias.lower(): name for name, aliases in AGENCIES.items() for alias in aliases}
_NAMES = "|".join(
    re.escape(a) for a in sorted((a for al in AGENCIES.values() for a in al), key=len, reverse=True)
)
_VERBS = (
    r"(?:reports?|reported|says|said|quoted|quotes|cited|cites|writes|wrote|informs|informed"
    r"|announced|learned|learnt|adds|added|notes|noted|has learned|has reported)"
)
_BEFORE = r"(?:according to|reported by|quoted by|cited by|as reported by|told|via|reports|writes|informs)"
# Short names that are also common abbreviations ("APA said" is often Airline
# Partners Australia): credited only in a dateline, a closing tag, or with
# "news agency" spelled out.
AMBIGUOUS = {"PA", "APA", "AA", "ANI", "MTI", "PAP", "ANP", "WAM", "HINA", "CTK", "RIA", "CP", "Focus", "Lusa", "Antara", "Sputnik", "Bloomberg"}
_DATELINE = re.compile(r"\((" + _NAMES + r")\)(?=\s*(?:[-\u2013\u2014:]|$))")
_AGENCY_NOUN = re.compile(r"(?<![\w.-])(" + _NAMES + r")(?:'s)?\s+news\s+agency\b|\bnews\s+agency\s+(" + _NAMES + r")(?![\w-])")
_PATTERNS = [
    # "Reuters reports", "AFP said"
    re.compile(r"(?<![\w.-])(" + _NAMES + r")(?:'s?)?\s+(?:news agency\s+)?" + _VERBS + r"\b"),
    # "according to Reuters", "told AFP"
    re.compile(r"\b" + _BEFORE + r"\s+(?:the\s+)?(" + _NAMES + r")(?![\w-])"),
    # "Reuters contributed to this report"
    re.compile(r"(?<![\w.-])(" + _NAMES + r")\s+contributed\b"),
]
# A closing "/BNR", "/BTA/", "(AP)" or "- AFP" at the very end of the text.
_CLOSING = re.compile(r"(?:/\s*([A-Z][A-Za-z]{1,9})\s*/?|[-\u2013\u2014]\s*(" + _NAMES + r"))\s*[.]?\s*$")


def canonical(name: str) -> str:
    """Return the canonical name for an agency alias (unknown names unchanged)."""
    return _ALIAS.get(name.lower(), name)


def find_agencies(text: str) -> list[str]:
    """Return the agencies the text credits, canonical names, in order of first credit."""
    found: list[tuple[int, str]] = []
    for m in _DATELINE.finditer(text):
        found.append((m.start(1), canonical(m.group(1))))
    for m in _AGENCY_NOUN.finditer(text):
        name = m.group(1) or m.group(2)
        found.append((m.start(), canonical(name)))
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            name = m.group(1)
            if canonical(name) in AMBIGUOUS or name in AMBIGUOUS:
                continue
            # short all-caps aliases must be written in capitals ("AP", not "ap")
            if len(name) <= 4 and name.lower() != "dpa" and not name.isupper():
                continue
            found.append((m.start(1), canonical(name)))
    tail = text.rstrip()[-80:]
    m = _CLOSING.search(tail)
    if m:
        name = m.group(1) or m.group(2)
        if name and (name.lower() in _ALIAS or name.isupper()):
            found.append((len(text), canonical(name)))
    found.sort()
    return unique(name for _, name in found)


def unique(items: Iterable[str]) -> list[str]:
    """Return items without repeats (case-insensitive), keeping the first spelling."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        item = " ".join(item.split())
        if item and item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


_NAME = r"[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|de|da|van|von|der|la|le|bin|al|el|ibn|du|dos|del)){0,4}"
_BYLINE = re.compile(r"^\s*(?:written\s+)?by[:\s]\s*(.+?)\s*$", re.I)


def authors_from_byline(line: str) -> list[str] | None:
    """Parse a byline (``By Jane Doe and John Roe``) into names.

    Returns None when the line is not a byline, so callers can tell "no
    byline here" from "a byline naming only an agency".
    """
    m = _BYLINE.match(line)
    if not m:
        return None
    rest = m.group(1)
    if len(rest) > 160 or rest.endswith((".", "?", "!")) and len(rest.split()) > 10:
        return None
    parts = re.split(r"\s*(?:,|;|\band\b|&|\|)\s*", rest)
    names: list[str] = []
    for part in parts:
        part = re.sub(r"\s+", " ", part).strip(" -\u2013\u2014")
        part = re.sub(r"^(?:staff|special)\s+(?:writer|correspondent|reporter)s?\s*", "", part, flags=re.I)
        if not part or part.lower() in _ALIAS or re.search(r"\b(?:staff|correspondent|reporter|editor|writer|updated|published)\b", part, re.I):
            continue
        if part.isupper():
            part = part.title()
        if re.fullmatch(_NAME, part):
            names.append(part)
        elif names:
            break
        else:
            return None
    return names


_REPORTING = re.compile(r"\((?:reporting|writing) by ([^;)]+)", re.I)


def authors_from_text(body: str) -> list[str]:
    """Names from a Reuters-style "(Reporting by A and B; Editing by C)" tail."""
    m = _REPORTING.search(body[-600:])
    if not m:
        return []
    names = authors_from_byline("By " + re.sub(r"\s+in\s+[A-Z][\w ]+$", "", m.group(1)))
    return names or []


def iter_credit_spans(text: str) -> Iterator[tuple[int, int]]:  # pragma: no cover - debugging aid
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.start(1), m.end(1)
