"""Enterprise names as the public searches them (企业名称检索).

A person types part of a winner's name the way it looks on a certificate;
the province pasted it from a spreadsheet or a PDF. Full-width letters and
brackets (``（集团）`` vs ``(集团)``), stray or ideographic spaces and letter
case must not decide whether the award is found, so both sides are folded
the same way: NFKC, every whitespace character dropped, upper-cased.

The search is a prefix search served by index items in the awards table
(``EnterpriseNameEntry``): the partition is the first ``PARTITION_CHARS``
characters of the folded name, so a query needs at least that many.
"""

from __future__ import annotations

import unicodedata
from typing import Any

PARTITION_CHARS = 2
"""Characters of the folded name that pick the index partition (and the shortest query)."""

KEY_CHARS = 100
"""Characters of the folded name kept in an index key: ≤ 400 bytes, far below DynamoDB's 1 KB
sort-key limit even after NFKC expanded a pathological name."""


def fold_name(raw: str) -> str:
    """The searchable spelling of an enterprise name.

    Examples
    --------
    >>> fold_name(" 北京城建（集团） ｃｏ．　Ltd ")
    '北京城建(集团)CO.LTD'
    """
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()


def name_partition(folded: str) -> str:
    """The index partition of a folded name or query (its first characters)."""
    return folded[:PARTITION_CHARS]


def name_key(folded: str) -> str:
    """The part of a folded name stored in (and matched against) the index sort key."""
    return folded[:KEY_CHARS]


def winner_names(content: dict[str, Any]) -> list[str]:
    """The folded winner names of an award's content, each once (one index item per name).

    Examples
    --------
    >>> winner_names({"winners": [{"name": "甲公司"}, {"name": "甲 公司"}, {"name": "乙"}]})
    ['甲公司', '乙']
    """
    return list(dict.fromkeys(fold_name(w["name"]) for w in content["winners"]))
