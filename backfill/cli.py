"""``python -m backfill``: push years of awards from a spreadsheet, safely.

    python -m backfill push awards.xlsx --dry-run
    python -m backfill push awards.xlsx --api-url https://… --api-key KEY
    python -m backfill template awards.xlsx

``push`` reads XLSX or CSV (UTF-8, UTF-8 with BOM, GB18030), groups an
award's rows by 记录编号, validates each record with the API's schemas, and,
unless ``--dry-run``, sends the valid ones through ``POST /v1/awards/batch``.
Re-running after an interruption resumes: what the API confirmed is in
``<input>.backfill-state.json`` and is skipped. Rejected rows go to
``<input stem>.errors.csv`` with their sheet row numbers and the reason in
Chinese and English. The key may come from ``BACKFILL_API_KEY`` so it stays
out of the shell history and the process list.

Exit codes: 0 all done, 1 some rows rejected, 2 the file or the options
cannot be used, 3 stopped early (re-run to resume), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from backfill.client import ApiClient, PushError, TransientError
from backfill.problems import Problem
from backfill.progress import Progress
from backfill.push import MAX_RECORDS, Outcome, push_records
from backfill.readers import ReadError, Table, read_table
from backfill.records import (
    UNRESOLVED_PROGRAM,
    Checked,
    Grouped,
    check,
    group_rows,
    program_for,
)
from backfill.report import errors_path_for, sort_key, write_errors
from backfill.state import State, state_path_for
from chalicelib.imports.quality import check_sheet

PRINTED_PROBLEMS = 50
MAX_CONCURRENCY = 8  # a province's share: 33 of them may backfill at once


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backfill", description="Backfill awards from a spreadsheet."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    push = commands.add_parser("push", help="validate and push a spreadsheet of awards")
    push.add_argument("input", type=Path, help="the .xlsx or .csv file")
    push.add_argument("--api-url", default=os.environ.get("BACKFILL_API_URL"))
    push.add_argument(
        "--api-key",
        default=os.environ.get("BACKFILL_API_KEY"),
        help="the province's API key (or set BACKFILL_API_KEY)",
    )
    push.add_argument("--dry-run", action="store_true", help="validate only; send nothing")
    push.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave out rows repeating an earlier row's project and winner (跳过重复记录)",
    )
    push.add_argument("--program-id", help="the programme of rows without 奖项编号 or 奖项")
    push.add_argument("--authority", help="your authority id, to match 奖项 names (e.g. 110000)")
    push.add_argument("--sheet", help="the sheet to read (default 获奖信息, else the first)")
    push.add_argument("--encoding", help="force the CSV encoding (default: detected)")
    push.add_argument("--batch-size", type=int, default=MAX_RECORDS, help="records per batch")
    push.add_argument("--max-batches", type=int, help="stop after this many batches")
    push.add_argument(
        "--concurrency", type=int, default=2, help="batches in flight at once (1..8, default 2)"
    )
    push.add_argument("--state", type=Path, help="default <input>.backfill-state.json")
    push.add_argument("--errors", type=Path, help="default <input stem>.errors.csv")
    push.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    push.add_argument("--retries", type=int, default=8, help="tries per request")
    push.add_argument("--no-progress", action="store_true", help="no progress bar")
    push.add_argument("--json", action="store_true", help="print the summary as JSON")
    template = commands.add_parser("template", help="write the blank template")
    template.add_argument("output", type=Path, nargs="?", default=Path("awards-template.xlsx"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "template":
        from backfill.make_template import write_template

        write_template(args.output)
        print(f"wrote {args.output}")
        return 0
    try:
        return _push(args)
    except KeyboardInterrupt:
        print(
            "\ninterrupted / 已中断: re-run the same command to resume / 重新运行即可续传",
            file=sys.stderr,
        )
        return 130


def _fail(message: str) -> int:
    print(f"error / 错误: {message}", file=sys.stderr)
    return 2


def _push(args: argparse.Namespace) -> int:
    if not args.dry_run and not (args.api_url and args.api_key):
        return _fail("--api-url and --api-key (or BACKFILL_API_KEY) are needed to push")
    if not 1 <= args.batch_size <= MAX_RECORDS:
        return _fail(f"--batch-size must be 1..{MAX_RECORDS}")
    if not 1 <= args.concurrency <= MAX_CONCURRENCY:
        return _fail(f"--concurrency must be 1..{MAX_CONCURRENCY}")
    try:
        table = read_table(args.input, sheet=args.sheet, encoding=args.encoding)
    except ReadError as error:
        return _fail(str(error))
    grouped = group_rows(table)
    client = None
    # urllib3 logs each retry as a warning; the progress bar's note says it instead.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    if args.api_url and args.api_key:
        client = ApiClient(
            args.api_url, args.api_key, timeout=args.timeout, attempts=max(args.retries, 1)
        )
    names = None
    needs_names = any(
        "program_id" not in d.values and "program_name" in d.values for d in grouped.drafts
    )
    if needs_names and client is not None:
        try:
            names = client.program_names(args.authority)
        except (PushError, TransientError) as error:
            return _fail(f"cannot list programmes to match 奖项 names: {error}")
    checked: list[Checked] = []
    problems: list[Problem] = list(grouped.problems)
    for draft in grouped.drafts:
        result = check(draft, program_for(draft, args.program_id, names))
        if isinstance(result, Checked):
            checked.append(result)
        else:
            problems.extend(result)
    # Data-quality warnings about the sheet's own rows (issue 22): in the errors file,
    # the rows still pushed unless --skip-duplicates leaves the later copies out.
    approvals: dict[str, str | None] = {}
    if client is not None:
        ids = [c.record["program_id"] for c in checked]
        try:
            approvals = client.program_approvals([i for i in ids if i != UNRESOLVED_PROGRAM])
        except (PushError, TransientError) as error:
            return _fail(f"cannot read the programmes' approval dates: {error}")
    sheet_check = check_sheet(checked, approvals, skip_duplicates=args.skip_duplicates)
    checked = sheet_check.kept(checked, skip_duplicates=args.skip_duplicates)
    warnings = sheet_check.warnings
    out = sys.stderr if args.json else sys.stdout
    _describe(table, grouped, problems + warnings, out)
    if needs_names and names is None:
        print("note / 注意: 奖项 names were not matched to ids (no --api-url/--api-key)", file=out)
    errors_path = args.errors or errors_path_for(args.input)
    if args.dry_run:
        written = write_errors(errors_path, problems + warnings, table.sheet)
        summary = {
            "dry_run": True,
            "rows": grouped.row_count,
            "awards": len(grouped.drafts),
            "valid": len(checked),
            "rejected": rejected_count(problems),
            "warnings": len(warnings),
            "duplicates_skipped": len(sheet_check.duplicates) if args.skip_duplicates else 0,
            "errors_csv": str(errors_path),
        }
        _print_summary(args, summary, written)
        return 1 if problems else 0
    assert client is not None
    if any(c.record["program_id"] == UNRESOLVED_PROGRAM for c in checked):
        return _fail("奖项 names could not be matched; fill 奖项编号")
    try:
        state = State(args.state or state_path_for(args.input), args.api_url)
    except ValueError as error:
        return _fail(str(error))
    already = sum(
        len(c.draft.rows) for c in checked if state.is_done(c.draft.source_id, c.content_hash)
    )
    progress = Progress(
        sum(len(c.draft.rows) for c in checked), done_rows=already, enabled=not args.no_progress
    )
    client.on_retry = lambda reason, wait: progress.set_note(f"retry in {wait:.1f}s ({reason})")
    try:
        outcome = push_records(
            checked,
            client,
            state,
            progress,
            max_records=args.batch_size,
            max_batches=args.max_batches,
            concurrency=args.concurrency,
        )
    finally:
        progress.close()
    problems.extend(outcome.rejected)
    written = write_errors(errors_path, problems + warnings, table.sheet)
    summary = _outcome_summary(grouped.row_count, len(grouped.drafts), outcome, problems)
    summary["warnings"] = len(warnings)
    summary["duplicates_skipped"] = len(sheet_check.duplicates) if args.skip_duplicates else 0
    summary["errors_csv"] = str(errors_path)
    _print_summary(args, summary, written)
    if outcome.stopped:
        print(
            f"stopped / 未完成: {outcome.stopped}; re-run to resume / 重新运行即可续传",
            file=sys.stderr,
        )
        return 3
    return 1 if problems else 0


def rejected_count(problems: list[Problem]) -> int:
    """Awards refused (one award may have several problems) plus rows that fit no award."""
    return len({p.source_id for p in problems if p.source_id}) + sum(
        1 for p in problems if not p.source_id
    )


def _outcome_summary(
    rows: int, awards: int, outcome: Outcome, problems: list[Problem]
) -> dict[str, Any]:
    return {
        "dry_run": False,
        "rows": rows,
        "awards": awards,
        "created": outcome.created,
        "unchanged": outcome.unchanged,
        "skipped": outcome.skipped,
        "rejected": rejected_count(problems),
        "rejected_by_api": rejected_count(outcome.rejected),
        "pending": outcome.pending,
        "batches": outcome.batches,
        "stopped": outcome.stopped,
    }


def _describe(table: Table, grouped: Grouped, problems: list[Problem], out: TextIO) -> None:
    where = f"{table.source}" + (f" [{table.sheet}]" if table.sheet else "")
    if table.encoding:
        where += f" ({table.encoding})"
    print(
        f"{where}: {grouped.row_count} rows 行, {len(grouped.drafts)} awards 条获奖信息", file=out
    )
    if table.ignored_headers:
        print(f"ignored columns / 未识别的列: {', '.join(table.ignored_headers)}", file=out)
    if grouped.example_rows:
        print(
            f"skipped the template's example rows / 已跳过示例行: {grouped.example_rows}", file=out
        )
    if problems:
        print(
            f"{len(problems)} problems found locally / 本地校验发现 {len(problems)} 处问题:",
            file=out,
        )
        for problem in sorted(problems, key=sort_key)[:PRINTED_PROBLEMS]:
            print("  " + problem.line(), file=out)
        if len(problems) > PRINTED_PROBLEMS:
            print(f"  … and {len(problems) - PRINTED_PROBLEMS} more in the errors file", file=out)


_LABELS = (
    ("created", "新建 created"),
    ("unchanged", "未变 unchanged (already there)"),
    ("skipped", "跳过 skipped (done in an earlier run)"),
    ("rejected", "拒绝 rejected"),
    ("pending", "未完成 pending"),
    ("valid", "通过 valid"),
    ("warnings", "警告 warnings (duplicate_award, before_approval; in errors.csv)"),
    ("duplicates_skipped", "跳过重复 duplicates skipped (--skip-duplicates)"),
)


def _print_summary(args: argparse.Namespace, summary: dict[str, Any], written: int) -> None:
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    for key, label in _LABELS:
        if key in summary:
            print(f"{label}: {summary[key]}")
    print(f"errors.csv: {summary['errors_csv']} ({written} lines)")
