"""Who a story is credited to: wire agencies named in the text, and bylines.

News text credits agencies in a handful of conventional places: a dateline
(``LONDON (Reuters) -``), a reporting verb (``Reuters reports``,
``according to AFP``), or a closing tag (``/BNR``, ``/BTA/``). Matching an
agency's name anywhere would credit every story that merely mentions it, so
only those positions count.
"""

from __future__ import annotations

import re
from typing import Iterable

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
_ALL_ALIASES = tuple(sorted({a for al in AGENCIES.values() for a in al}, key=len, reverse=True))
# What may stand right after / right before an agency's name for it to be a credit.
_AFTER_DATELINE = re.compile(r"\)\s*(?:[-\u2013\u2014:]|$)")
_AFTER_NOUN = re.compile(r"(?:'s)?\s+news\s+agency\b")
_BEFORE_NOUN = re.compile(r"\bnews\s+agency\s+$")
_AFTER_VERB = re.compile(r"(?:'s?)?\s+(?:news agency\s+)?" + _VERBS + r"\b")
_BEFORE_PHRASE = re.compile(r"\b" + _BEFORE + r"\s+(?:the\s+)?$")
_AFTER_CONTRIBUTED = re.compile(r"\s+contributed\b")
_CLOSING = re.compile(r"(?:/\s*([A-Z][A-Za-z]{1,9})\s*/?|[-\u2013\u2014]\s*(" + _NAMES + r"))\s*[.]?\s*$")
_WORDCHAR = re.compile(r"[\w-]")


def _credit_kind(text: str, start: int, end: int) -> str | None:
    """Whether the name at text[start:end] stands where a credit stands."""
    before = text[max(0, start - 40) : start]
    after = text[end : end + 40]
    if start and _WORDCHAR.match(text[start - 1]) or after[:1] and _WORDCHAR.match(after[0]):
        return None
    if before.endswith("(") and _AFTER_DATELINE.match(after):
        return "dateline"
    if _AFTER_NOUN.match(after) or _BEFORE_NOUN.search(before):
        return "noun"
    if before.endswith(".") and before[-2:-1].isalnum():
        return None  # a ticker suffix: "DEXI.PA said"
    if _AFTER_VERB.match(after) or _BEFORE_PHRASE.search(before) or _AFTER_CONTRIBUTED.match(after):
        return "verb"
    return None


def canonical(name: str) -> str:
    """Return the canonical name for an agency alias (unknown names unchanged)."""
    return _ALIAS.get(name.lower(), name)


def find_agencies(text: str) -> list[str]:
    """Return the agencies the text credits, canonical names, in order of first credit.

    Each place a known name occurs is checked for what stands around it (a
    text names one or two agencies, so this beats running patterns with
    every alias over the whole text)."""
    found: list[tuple[int, str]] = []
    taken: set[int] = set()
    for name in _ALL_ALIASES:  # longest first, so "Associated Press" beats "AP"
        pos = text.find(name)
        while pos != -1:
            end = pos + len(name)
            if pos not in taken:
                kind = _credit_kind(text, pos, end)
                ok = kind == "dateline" or kind == "noun"
                if kind == "verb":
                    short_lower = len(name) <= 4 and name.lower() != "dpa" and not name.isupper()
                    ok = not short_lower and name not in AMBIGUOUS and canonical(name) not in AMBIGUOUS
                if ok:
                    found.append((pos, canonical(name)))
                    taken.update(range(pos, end))
            pos = text.find(name, pos + 1)
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
