"""The reader's limits (issue 19): refused from the ZIP directory or stopped while streaming.

No AWS: the bytes an upload would hold, read as the import worker reads them.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from chalicelib.imports.readers import LimitError, Limits, read_bytes
from tests.sheets import HEADERS, award_rows, write_xlsx


def _csv(rows: int) -> bytes:
    lines = [",".join(HEADERS)]
    row = "R{n},prg_x,,2024,金奖,2024-01-02,,工程{n},房屋建筑,公司,,设计,"
    lines += [row.format(n=n) for n in range(rows)]
    return "\n".join(lines).encode()


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_inflated(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    content = out.getvalue()
    assert len(content) < 100_000  # 50 MB unpacked from under 100 KB

    def no_inflating(*args, **kwargs):
        raise AssertionError("openpyxl opened the workbook")

    monkeypatch.setattr("openpyxl.load_workbook", no_inflating)
    with pytest.raises(LimitError) as caught:
        read_bytes(content, "bomb.xlsx", limits=Limits(max_unpacked_bytes=10 * 1024 * 1024))
    assert caught.value.code == "too_large"
    assert "解压后" in caught.value.message_zh


def test_csv_rows_stop_at_the_limit_and_blank_rows_do_not_count():
    limits = Limits(max_rows=100)
    assert len(read_bytes(_csv(100) + b"\n,,,\n" * 50, "a.csv", limits=limits).rows) == 100
    with pytest.raises(LimitError) as caught:
        read_bytes(_csv(101), "a.csv", limits=limits)
    assert caught.value.code == "too_many_rows"
    assert "100 行" in caught.value.message_zh


def test_a_sheet_of_endless_blank_rows_is_not_walked_to_its_end():
    limits = Limits(max_rows=10)
    with pytest.raises(LimitError) as caught:
        read_bytes(_csv(5) + b"\n,\n" * 1000, "a.csv", limits=limits)
    assert caught.value.code == "too_many_rows"


def test_an_xlsx_within_the_limits_reads_as_before(tmp_path):
    rows = award_rows(30, program_id="prg_x", winners=1)
    content = write_xlsx(tmp_path / "a.xlsx", rows).read_bytes()
    table = read_bytes(content, "a.xlsx", limits=Limits(max_rows=30, max_cells_per_row=20))
    assert len(table.rows) == 30
    with pytest.raises(LimitError):
        read_bytes(content, "a.xlsx", limits=Limits(max_rows=29))


def test_cells_beyond_the_column_limit_are_refused_but_trailing_blanks_are_not():
    limits = Limits(max_cells_per_row=20)
    wide_blank = _csv(2).replace(b"\n", b"," * 40 + b"\n")
    assert len(read_bytes(wide_blank, "a.csv", limits=limits).rows) == 2
    wide = _csv(2) + b"," * 40 + b"x"
    with pytest.raises(LimitError) as caught:
        read_bytes(wide, "a.csv", limits=limits)
    assert caught.value.code == "too_large"


def test_a_shared_strings_table_over_a_quarter_of_the_limit_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 200_000)
    with pytest.raises(LimitError) as caught:
        read_bytes(out.getvalue(), "a.xlsx", limits=Limits(max_unpacked_bytes=10_000_000))
    assert caught.value.code == "too_large"
