"""``field__any_of=ids``: ``field = ANY(%s)`` with the ids as one array parameter (issue 20: page speed).

Every visibility filter is "owner, AM or CSM among the team's ids" (gtmos/crm/access.py), and a manager's or
the SLM's team is most of the org. Django's ``__in`` prepares, normalises and renders each id on its own — for
the SLM, 50-odd ids in each of the eight columns of a deal's visibility filter, in every query of the home —
and that was the largest share of the homes' CPU. One array parameter costs the same whatever the team's size.
PostgreSQL rewrites ``x IN (1, 2)`` into ``x = ANY('{1,2}')`` itself, so the plan and the rows are the same.

Pass a set (``team_ids`` is a frozenset): the query builder walks a list or tuple value element by element.
An empty set matches nothing and, like ``__in=[]``, runs no SQL for a filter that can only be empty.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        # Sorted, so the statement's text is the same for the same team (logs, pg_stat_statements).
        return sorted({int(value) for value in self.rhs if value is not None})

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations keep lookups of their own (fields/related.py)
