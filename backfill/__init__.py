"""Backfill tool for provincial staff: push years of awards from a spreadsheet.

A client command, kept out of the Lambda package (Chalice ships only
``app.py`` and ``chalicelib/``): ``python -m backfill push awards.xlsx
--api-url … --api-key …``. It reads XLSX or CSV with Chinese headers, groups
one award's rows (one per winning enterprise) by 记录编号, validates every
record locally with the API's own schemas, and pushes through
``POST /v1/awards/batch`` in resumable batches. The column mapping is in
``backfill/MAPPING.md``.
"""
