"""Rows → award records: grouping by 记录编号, cell conversion, local validation.

One award spans several rows, one per winning enterprise, all carrying the
same 记录编号. Award-level cells may be repeated on every row or left empty
below the first (merged cells read that way); a row with an empty 记录编号
continues the award above it. Every record is then validated with the API's
own schema (``parse_model(AwardIn, …)``) plus the duplicate-winner rule, so a
row the tool accepts is a row the API accepts, short of the checks that need
the server (programme state and scope, source-id history).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.messages_zh import reason_of
from chalicelib.domain.numbers import ascii_int_or_none
from chalicelib.domain.schemas import AwardIn, parse_model
from chalicelib.imports.columns import AWARD_KEYS, BY_KEY, WINNER_KEYS, category_code, role_code
from chalicelib.imports.problems import Problem, reason_zh
from chalicelib.imports.readers import Table

EXAMPLE_PREFIX = "示例"  # the template's example rows start their 记录编号 with this
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00(:00)?$")
_EXACT_FLOAT_LIMIT = 1e15  # beyond this a spreadsheet number has lost digits


class CellError(ValueError):
    """A cell whose value cannot be turned into what its column needs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            if abs(value) >= _EXACT_FLOAT_LIMIT:
                raise CellError(
                    "number_cell",
                    "the cell is a number and has lost digits; format the column as text "
                    "and type the value again",
                )
            return str(int(value))
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _year(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年").strip()
    number = ascii_int_or_none(text, max_digits=9)
    return text if number is None else number  # the schema names what is wrong with text


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATETIME_TEXT.match(text)
    if match:
        return match.group(1)
    match = _DATE.match(text)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text  # the schema names what is wrong with it


def convert(key: str, value: Any) -> Any:
    """A cell's value as the API field wants it (raises ``CellError``)."""
    kind = BY_KEY[key].kind
    if kind == "year":
        return _year(value)
    if kind == "date":
        return _date(value)
    text = _text(value)
    if kind == "role":
        return role_code(text)
    if kind == "category":
        return category_code(text)
    return text


@dataclass
class Draft:
    """One award as read from the sheet, before validation."""

    source_id: str
    rows: list[int] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    value_rows: dict[str, int] = field(default_factory=dict)
    winners: list[dict[str, Any]] = field(default_factory=list)
    winner_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def first_row(self) -> int:
        return self.rows[0]

    def problem(
        self, row: int | None, key: str | None, code: str, message: str, field: str | None = None
    ) -> Problem:
        column = BY_KEY[key].header if key else None
        if field is None and key:
            field = BY_KEY[key].path
        return Problem(
            row=row,
            source_id=self.source_id,
            column=column,
            field=field,
            code=code,
            message=message,
            message_zh=reason_zh(code, message),
        )

    def record(self, program_id: str | None) -> dict[str, Any]:
        """The record as the API takes it (blank cells left out)."""
        values = self.values
        project = {
            "name": values.get("project_name"),
            "category": values.get("category"),
            "location_code": values.get("location_code"),
            "code": values.get("project_code"),
        }
        record = {
            "source_id": self.source_id,
            "program_id": program_id,
            "year": values.get("year"),
            "honor": values.get("honor"),
            "awarded_on": values.get("awarded_on"),
            "announcement_number": values.get("announcement_number"),
            "announcement_url": values.get("announcement_url"),
            "project": {k: v for k, v in project.items() if v is not None},
            "winners": self.winners,
        }
        return {k: v for k, v in record.items() if v is not None}

    def locate(self, field_path: str | None) -> tuple[int, str | None]:
        """The sheet row and column key an API field path points at."""
        if not field_path:
            return self.first_row, None
        match = re.match(r"^winners\[(\d+)\]\.?(.*)$", field_path)
        if match:
            index, rest = int(match.group(1)), match.group(2)
            row = self.winner_rows[index] if index < len(self.winner_rows) else self.first_row
            return row, _KEY_BY_PATH.get(f"winners[i].{rest}", "winner_name")
        if field_path == "winners":
            return self.first_row, "winner_name"
        key = _KEY_BY_PATH.get(field_path)
        if key is None:
            return self.first_row, None
        return self.value_rows.get(key, self.first_row), key

    def problem_at(
        self, field_path: str | None, code: str, message: str, message_zh: str | None = None
    ) -> Problem:
        """A problem the API (or its schema) found, at the row and column of ``field_path``.

        ``message_zh`` is the API's Chinese; the sheet shows the column, so its
        ``字段 …：`` prefix is left out.
        """
        row, key = self.locate(field_path)
        column = BY_KEY[key].header if key else None
        reason = reason_of(field_path, message_zh) if message_zh else reason_zh(code, message)
        return Problem(row, self.source_id, column, field_path, code, message, reason)

    def problems_of(
        self, answer: Mapping[str, Any], *, default_code: str = "rejected", note: str = ""
    ) -> list[Problem]:
        """One problem per item of an API error answer: its ``errors``, else its ``error``."""
        items = answer.get("errors") or [answer.get("error") or {}]
        return [
            self.problem_at(
                item.get("field"),
                item.get("code", default_code),
                note + str(item.get("message", "refused")),
                item.get("message_zh"),
            )
            for item in items
        ]


_KEY_BY_PATH = {c.path: c.key for c in BY_KEY.values() if c.key != "program_name"}


@dataclass
class Grouped:
    drafts: list[Draft]
    problems: list[Problem]  # rows that belong to no award
    example_rows: list[int]
    row_count: int


def group_rows(table: Table) -> Grouped:
    """Group the sheet's rows into awards by 记录编号, in order of first appearance."""
    drafts: dict[str, Draft] = {}
    loose: list[Problem] = []
    examples: list[int] = []
    current: Draft | None = None
    in_example = False
    for row in table.rows:
        raw_id = row.cells.get("source_id")
        if raw_id is None:
            if in_example:
                examples.append(row.number)
                continue
            if current is None:
                loose.append(
                    Problem(
                        row.number,
                        None,
                        BY_KEY["source_id"].header,
                        "source_id",
                        "validation_error",
                        "source_id: is required",
                        reason_zh("validation_error", "is required"),
                    )
                )
                continue
            draft = current
        else:
            try:
                source_id = unicodedata.normalize("NFC", _text(raw_id))
            except CellError as error:
                loose.append(
                    Problem(
                        row.number,
                        None,
                        BY_KEY["source_id"].header,
                        "source_id",
                        error.code,
                        str(error),
                        reason_zh(error.code, str(error)),
                    )
                )
                current, in_example = None, False
                continue
            in_example = source_id.startswith(EXAMPLE_PREFIX)
            if in_example:
                examples.append(row.number)
                current = None
                continue
            draft = drafts.get(source_id) or drafts.setdefault(source_id, Draft(source_id))
            current = draft
        _add_row(draft, row.number, row.cells)
    return Grouped(list(drafts.values()), loose, examples, len(table.rows))


def _add_row(draft: Draft, number: int, cells: dict[str, Any]) -> None:
    draft.rows.append(number)
    for key in AWARD_KEYS:
        if key == "source_id" or key not in cells:
            continue
        try:
            value = convert(key, cells[key])
        except CellError as error:
            draft.problems.append(draft.problem(number, key, error.code, str(error)))
            continue
        if key in draft.values and draft.values[key] != value:
            header = BY_KEY[key].header
            draft.problems.append(
                draft.problem(
                    number,
                    key,
                    "conflicting_values",
                    f"{BY_KEY[key].path}: {value!r} here but {draft.values[key]!r} on row "
                    f"{draft.value_rows[key]} of the same 记录编号 ({header})",
                )
            )
            continue
        draft.values[key] = value
        draft.value_rows.setdefault(key, number)
    if not any(key in cells for key in WINNER_KEYS):
        return
    winner: dict[str, Any] = {}
    index = len(draft.winners)
    for key in WINNER_KEYS:
        if key not in cells:
            continue
        try:
            winner[BY_KEY[key].path.removeprefix("winners[i].")] = convert(key, cells[key])
        except CellError as error:
            path = BY_KEY[key].path.replace("[i]", f"[{index}]")
            draft.problems.append(draft.problem(number, key, error.code, str(error), path))
    draft.winners.append(winner)
    draft.winner_rows.append(number)


@dataclass(frozen=True)
class Checked:
    """A record that passed every local check, ready to push."""

    draft: Draft
    record: dict[str, Any]  # normalised, exactly what the API will store
    content_hash: str  # the API's own canonical hash of it


UNRESOLVED_PROGRAM = "unresolved"  # stands in for a 奖项 name a dry run cannot look up


def program_for(
    draft: Draft, default: str | None, names: dict[str, list[str]] | None
) -> str | Problem:
    """The programme id of an award: 奖项编号, else 奖项 looked up by name, else ``default``.

    ``names`` maps each programme name this key can push to onto its ids; None
    when the tool has no API to ask (an offline dry run).
    """
    if "program_id" in draft.values:
        return draft.values["program_id"]
    name = draft.values.get("program_name")
    if name is None:
        if default:
            return default
        return draft.problem(
            draft.first_row,
            "program_id",
            "validation_error",
            "program_id: is required; fill 奖项编号 or 奖项, or pass --program-id",
        )
    if names is None:
        return UNRESOLVED_PROGRAM
    ids = names.get(unicodedata.normalize("NFC", name).strip(), [])
    if len(ids) == 1:
        return ids[0]
    row = draft.value_rows.get("program_name", draft.first_row)
    if not ids:
        message = f"no submitted or approved programme of yours is named {name!r}"
    else:
        message = f"{len(ids)} programmes are named {name!r}; fill 奖项编号 with the id"
    return draft.problem(row, "program_name", "unknown_program", message, field="program_id")


def check(draft: Draft, program_id: str | Problem) -> Checked | list[Problem]:
    """Validate one award as the API would: its schema, then the duplicate-winner rule.

    Every problem of the award is reported at once: the cells that could not be
    read, the programme, each schema problem (but one per field: a cell already
    refused is not reported again as missing) and each repeated winner.
    """
    problems = list(draft.problems)
    if isinstance(program_id, Problem):
        problems.append(program_id)
        program_id = UNRESOLVED_PROGRAM  # lets the schema judge the rest of the record
    try:
        award = parse_model(AwardIn, draft.record(program_id))
    except ValidationError as error:
        taken = {problem.field for problem in problems}
        found = draft.problems_of(error.to_body())
        return problems + [problem for problem in found if problem.field not in taken]
    for index, first, code in award.duplicate_winners():
        problems.append(
            draft.problem_at(
                f"winners[{index}].credit_code",
                "duplicate_winner",
                f"credit code {code} already appears as "
                f"winners[{first}] (row {draft.winner_rows[first]})",
                f"同一奖项中统一社会信用代码重复（与第 {draft.winner_rows[first]} 行相同）",
            )
        )
    if problems:
        return problems
    record = award.model_dump(mode="json", exclude_none=True)
    return Checked(draft, record, award.canonical_hash())
