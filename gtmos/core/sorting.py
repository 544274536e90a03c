"""Server-side sorting by column header, reusable by any list page (issue 20; STYLE 20).

A page declares its sortable columns once::

    ACCOUNT_SORT = Sort([Column("name", "Account", ("name",)), Column("arr", "ARR", ("arr",), desc_first=True)],
                        default="name")
    state = ACCOUNT_SORT.parse(request.GET.get("sort"))     # ?sort=arr (ascending) or ?sort=-arr (descending)
    queryset.order_by(*state.order_by)

and its template draws each header with ``{% sort_header sort "arr" %}`` (gtmos/core/templatetags/ui.py): a
link that keeps every other query parameter (the filters stay in the URL), drops the page number, flips the
direction when the column is already sorted, carries ``aria-sort`` on the ``<th>``, swaps the results by htmx
and still works as a plain link (keyboard: Tab to the header, Enter). The primary key breaks ties, so
pagination is stable. Sorting never adds a query: it is one ORDER BY.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fields: tuple  # field paths, or expressions (e.g. a Case ranking the stage ladder)
    desc_first: bool = False  # money and scores: the first click shows the largest
    numeric: bool = False


@dataclass(frozen=True)
class SortState:
    column: Column
    descending: bool

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    @property
    def order_by(self) -> list:
        # Nulls last in both directions: a missing renewal date or ACV is never "first".
        exprs = [F(f) if isinstance(f, str) else f for f in self.column.fields]
        order = [e.desc(nulls_last=True) if self.descending else e.asc(nulls_last=True) for e in exprs]
        return [*order, "-pk" if self.descending else "pk"]


class Sort:
    def __init__(self, columns: list[Column], *, default: str, default_descending: bool = False):
        self.columns = {c.key: c for c in columns}
        self.default = SortState(self.columns[default], default_descending)

    def parse(self, raw: str | None) -> SortState:
        """``key`` or ``-key``; anything unknown falls back to the default (a stale link still opens)."""
        raw = (raw or "").strip()
        descending = raw.startswith("-")
        column = self.columns.get(raw.lstrip("-"))
        if column is None:
            return self.default
        return SortState(column, descending)
