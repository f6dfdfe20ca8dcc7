"""A programme's statuses and the sets of them each rule asks about (SPEC §3, §4).

A programme starts as a ``draft``, is ``submitted`` by its province, and is
``approved`` or ``rejected`` by an administrator; an approved one may later be
``withdrawn``. Every rule that asks "is this status one of ..." reads a set
from here, so the answer to "who may see / push to / edit a programme" is
written once.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Status = Literal["draft", "submitted", "approved", "rejected", "withdrawn"]

DRAFT: Final = "draft"
SUBMITTED: Final = "submitted"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
WITHDRAWN: Final = "withdrawn"

# Every status, in the order a programme moves through them.
ALL: tuple[str, ...] = get_args(Status)

# Submitted and not rejected: the public sees the programme, and it counts as
# the province's programme list (the audit's "no programme list" finding).
PUBLIC: frozenset[str] = frozenset({SUBMITTED, APPROVED, WITHDRAWN})

# Awards may be pushed while the programme awaits review or once approved.
PUSHABLE: frozenset[str] = frozenset({SUBMITTED, APPROVED})

# The province may revise its programme before review, or after a rejection.
EDITABLE: frozenset[str] = frozenset({DRAFT, REJECTED})
