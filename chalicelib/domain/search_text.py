"""What the public search matches: any 2+ character part of a winner or project name.

A search for 城建集团 must find 北京城建集团有限责任公司, and 副中心 must find
北京城市副中心综合交通枢纽. DynamoDB has no substring index, so the index keeps one
item per *character bigram* of each award's searchable text; a query reads the
items of its rarest bigram and checks the whole fragment against the text kept
on each item (``store/search.py``).

Names are folded as the enterprise-name prefix search folds them
(``domain/names.fold_name``: NFKC, no whitespace, upper case). The names of one
award are joined with a newline, which folding removes from any query, so a
fragment never matches across the end of one name and the start of the next.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.names import KEY_CHARS, fold_name

QUERY_MIN_CHARS = 2
QUERY_MAX_CHARS = 50
SEPARATOR = "\n"


def searchable_text(winner_names: Iterable[str], project_name: str) -> str:
    """The folded names one award is found by: its winners', then its project's.

    Examples
    --------
    >>> searchable_text(["北京城建集团有限责任公司"], "北京城市副中心 综合交通枢纽")
    '北京城建集团有限责任公司\\n北京城市副中心综合交通枢纽'
    """
    names = [fold_name(name) for name in (*winner_names, project_name)]
    return SEPARATOR.join(dict.fromkeys(name for name in names if name))


def award_text(view: dict[str, Any]) -> str:
    """The searchable text of an award view (or a record's content)."""
    return searchable_text(
        (winner["name"] for winner in view.get("winners", [])),
        view.get("project", {}).get("name", ""),
    )


def bigrams(folded: str) -> list[str]:
    """The distinct character pairs of ``folded``, in first-seen order, none across names.

    Examples
    --------
    >>> bigrams("城建集团")
    ['城建', '建集', '集团']
    >>> bigrams("AB\\nCA")
    ['AB', 'CA']
    """
    pairs = (folded[i : i + 2] for i in range(len(folded) - 1))
    return list(dict.fromkeys(pair for pair in pairs if SEPARATOR not in pair))


def sort_name(view: dict[str, Any]) -> str:
    """The name ``sort=name`` orders by: the lead (first) winner's folded name.

    Code-point order of the folded name (not pinyin): stable, and the same in
    every replica and language.
    """
    winners = view.get("winners") or [{"name": ""}]
    return fold_name(winners[0]["name"])[:KEY_CHARS]


def search_query(raw: str) -> str:
    """The folded fragment of ``q``; 400 ``q`` when it is not 2–50 characters."""
    stripped = raw.strip()
    folded = fold_name(stripped)
    if not QUERY_MIN_CHARS <= len(stripped) <= QUERY_MAX_CHARS or len(folded) < QUERY_MIN_CHARS:
        raise ValidationError(
            f"q must be {QUERY_MIN_CHARS} to {QUERY_MAX_CHARS} characters",
            field="q",
        )
    return folded


def matches(fragment: str, text: str) -> bool:
    """Whether the folded ``fragment`` occurs in the searchable ``text``."""
    return fragment in text
