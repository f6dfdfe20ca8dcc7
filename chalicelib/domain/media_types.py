"""The media types of what provinces upload and what we serve as files.

Apart from the upload checks (``domain/documents.py``) so the template route can
name the XLSX type without loading those checks on a cold start (measured).
"""

from __future__ import annotations

PDF = "application/pdf"
OFD = "application/ofd"
# Spreadsheet imports (``POST /v1/imports``) and the backfill template.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
# Evidence of an objection (issue 23) may also be a photo or a scan.
JPEG = "image/jpeg"
PNG = "image/png"
