"""Streaming CSV downloads (issue 20: "CSV export where RevOps would expect it").

Rows stream from a server-side cursor (``iterator(chunk_size=…)``) so a 100k-account book never sits in memory,
and every text cell that a spreadsheet would run as a formula is defused (the health export uses the same
``csv_cell``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """Spreadsheets run cells that start with = + - @ (or a TAB or CR before one) as formulas: prefix text that
    does with a quote (CSV injection, OWASP's list). Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_LEADS:
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM: Excel then reads the UTF-8 names (é, ü) right
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
