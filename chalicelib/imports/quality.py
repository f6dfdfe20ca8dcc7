"""Data-quality warnings about a sheet's own rows, before anything is pushed (issue 22).

A clerk fixes a problem best while the sheet is open. So the import (the backfill
tool and ``POST /v1/imports``, which share this module) reports two of the data-
quality rules of ``domain/quality_rules.py`` on the rows it is about to push:

- ``duplicate_award``: a record repeating an earlier one of the same sheet (same
  programme, year and normalised project name, a shared winner credit code, another
  记录编号);
- ``before_approval``: a record dated before its programme was approved.

They are warnings, in the errors file beside the rejected rows (``警告：`` first): the
rows are still pushed, unless the user chose "skip duplicates" (跳过重复记录), which
leaves out the later copies of a duplicate. The daily audit judges the same rules
again over everything pushed, other sheets' rows included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chalicelib.domain.quality_rules import project_key
from chalicelib.imports.columns import BY_KEY
from chalicelib.imports.problems import Problem
from chalicelib.imports.records import Checked

DUPLICATE_AWARD = "duplicate_award"
BEFORE_APPROVAL = "before_approval"


@dataclass(frozen=True)
class SheetCheck:
    """What the sheet's own rows say: the warnings, and which records repeat an earlier one."""

    warnings: list[Problem]
    duplicates: frozenset[int]  # indexes into the records checked

    def kept(self, checked: Sequence[Checked], *, skip_duplicates: bool) -> list[Checked]:
        """The records to push: all of them, or all but the later copies of a duplicate."""
        if not skip_duplicates:
            return list(checked)
        return [c for index, c in enumerate(checked) if index not in self.duplicates]


def _warning(checked: Checked, field: str, code: str, message: str, message_zh: str) -> Problem:
    draft = checked.draft
    row, key = draft.locate(field)
    column = BY_KEY[key].header if key else None
    return Problem(
        row, draft.source_id, column, field, code, f"Warning: {message}", f"警告：{message_zh}"
    )


def check_sheet(
    checked: Sequence[Checked],
    approvals: Mapping[str, str | None],
    *,
    skip_duplicates: bool = False,
) -> SheetCheck:
    """The sheet's ``duplicate_award`` and ``before_approval`` warnings.

    ``approvals`` maps programme ids to their approval dates (``YYYY-MM-DD``; a
    programme missing there is not judged). With ``skip_duplicates`` the warning says
    the row was left out instead of pushed.
    """
    warnings: list[Problem] = []
    duplicates: set[int] = set()
    first_of: dict[tuple[str, int, str], list[int]] = {}
    for index, item in enumerate(checked):
        record = item.record
        program_id = str(record.get("program_id", ""))
        approved_on = approvals.get(program_id)
        awarded_on = str(record.get("awarded_on", ""))
        if approved_on and awarded_on and awarded_on < approved_on:
            warnings.append(
                _warning(
                    item,
                    "awarded_on",
                    BEFORE_APPROVAL,
                    f"awarded_on {awarded_on} is before the programme was approved "
                    f"({approved_on}); pushed anyway",
                    f"获奖日期 {awarded_on} 早于该奖项获批设立的日期 {approved_on}"
                    "，已照常推送，请核对",
                )
            )
        group = (program_id, int(record.get("year") or 0), project_key(record["project"]["name"]))
        codes = {w["credit_code"] for w in record.get("winners", [])}
        earlier = next(
            (
                checked[other]
                for other in first_of.get(group, [])
                if checked[other].record["source_id"] != record["source_id"]
                and codes & {w["credit_code"] for w in checked[other].record.get("winners", [])}
            ),
            None,
        )
        first_of.setdefault(group, []).append(index)
        if earlier is None:
            continue
        duplicates.add(index)
        row = earlier.draft.first_row
        then = "left out (skip duplicates)" if skip_duplicates else "pushed anyway"
        then_zh = "已按“跳过重复记录”未推送" if skip_duplicates else "已照常推送，请核对"
        warnings.append(
            _warning(
                item,
                "project.name",
                DUPLICATE_AWARD,
                f"the same project and winner as row {row} "
                f"(source_id {earlier.record['source_id']}) in the same programme and year; {then}",
                f"与第 {row} 行（记录编号 {earlier.record['source_id']}）为同一奖项、同一年度、"
                f"同一获奖企业的同名工程，疑似重复报送；{then_zh}",
            )
        )
    return SheetCheck(warnings, frozenset(duplicates))
