"""The account and opportunity lists' state: which filters a page knows, its sort, and the one canonical query
string that the page, its saved views (SavedView.query) and its CSV export share (issue 20 item 3).

Only known parameters survive ``parse``: an unknown segment or stage is dropped, an unknown sort falls back to
the default, so a saved view or a stale link always opens and never carries anything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.http import urlencode

from gtmos.core.sorting import Sort, SortState

from .models import Segment, Stage
from .selectors import ACCOUNT_SORT, OPPORTUNITY_SORT

OPEN_STAGES = [s for s in Stage.values if s not in ("closed_won", "closed_lost")]


@dataclass
class ListState:
    page: str  # SavedView.Page value
    filters: dict[str, str] = field(default_factory=dict)
    sort: SortState | None = None
    spec: Sort | None = None

    @property
    def query(self) -> str:
        """Non-empty filters in the page's order, then the sort when it is not the default."""
        pairs = [(k, v) for k, v in self.filters.items() if v]
        if self.sort is not None and self.sort != self.spec.default:
            pairs.append(("sort", self.sort.param))
        return urlencode(pairs)

    @property
    def filtered(self) -> bool:
        return any(self.filters.values())


def _text(params, name: str, limit: int = 200) -> str:
    return (params.get(name) or "").strip()[:limit]


def _choice(params, name: str, allowed) -> str:
    value = (params.get(name) or "").strip()
    return value if value in allowed else ""


def accounts(params) -> ListState:
    return ListState(
        page="accounts",
        filters={"q": _text(params, "q"), "segment": _choice(params, "segment", Segment.values)},
        sort=ACCOUNT_SORT.parse(params.get("sort")),
        spec=ACCOUNT_SORT,
    )


def opportunities(params) -> ListState:
    return ListState(
        page="opportunities",
        filters={"q": _text(params, "q"), "stage": _choice(params, "stage", OPEN_STAGES)},
        sort=OPPORTUNITY_SORT.parse(params.get("sort")),
        spec=OPPORTUNITY_SORT,
    )


PARSERS = {"accounts": accounts, "opportunities": opportunities}


def parse_query(page: str, query: str) -> ListState:
    return PARSERS[page](QueryDict(query.lstrip("?")))
