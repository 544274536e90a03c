"""project_finder over a Socrata (SODA 2.x) open-data endpoint of building permits, e.g. Chicago's
``https://data.cityofchicago.org/resource/ydr8-5enu.json``:

    GET {SWARM_SODA_URL}?$where=upper(contact_1_name) like '%ACME%'&$order=issue_date DESC&$limit=50
    X-App-Token: …      → 200 [{"permit_": "…", "work_description": "…", "reported_cost": "…", …}, …]

Each permit naming the prospect as contractor is kept as a ProjectRecord (the same shared reference table the
imported permits live in, keyed ``soda:<permit id>``, so a replay adds nothing) and matched like any other
record. Throttled (429) or down: the retry ladder; quota spent or not configured: the offline datasets only.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from routing.enums import ProfileField as F

from ... import conf
from ...enums import PursuitSource
from ...models import ProjectRecord
from ..base import AgentInput, AgentOutput
from ..project_finder import ProjectFinderProvider, _norm
from .client import Malformed, QuotaExhausted, call

logger = logging.getLogger("enrichment.remote")
SOURCE = "socrata"
LIMIT = 50


def soql_like(company: str) -> str:
    """A SoQL string literal for ``like``: quotes doubled, wildcards in the name escaped away."""
    cleaned = "".join(ch for ch in company.upper() if ch.isalnum() or ch in " &-.'").strip()
    return "'%" + cleaned.replace("'", "''") + "%'"


def parse(rows, company: str) -> list[dict]:
    if not isinstance(rows, list) or any(not isinstance(r, dict) for r in rows):
        raise Malformed("a SODA resource answers a JSON array of row objects")
    field = conf.get("SWARM_SODA_CONTRACTOR_FIELD")
    wanted, out = _norm(company), []
    for row in rows:
        permit = row.get("permit_") or row.get("id") or row.get("permit_number")
        contractor = str(row.get(field) or "")
        if not permit or _norm(contractor) != wanted:
            continue  # `like` over-matches ("ACME" in "PACME ROOFING"): keep the prospect's own permits
        try:
            value = Decimal(str(row["reported_cost"])).quantize(Decimal(1)) if row.get("reported_cost") else None
        except (InvalidOperation, ValueError):
            value = None
        issued = _date(row.get("issue_date"))
        address = " ".join(str(row.get(k) or "") for k in ("street_number", "street_direction", "street_name")).strip()
        out.append(
            {
                "external_id": f"soda:{permit}",
                "name": (row.get("work_description") or address or f"Permit {permit}")[:300],
                # the profile's spelling of the name the permit carries, so the matcher finds it
                "company": company.strip()[:200],
                "city": str(row.get("contact_1_city") or "")[:100].title(),
                "state": str(row.get("contact_1_state") or "")[:2].upper(),
                "value": value,
                "published_on": issued,
            }
        )
    return out


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


class SocrataPermitsProvider:
    agent = "project_finder"

    def __init__(self, offline=None):
        self.offline = offline or ProjectFinderProvider()

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        company = inp.value(F.COMPANY, at_least=0.5)
        if isinstance(company, str) and company.strip():
            token = conf.get("SWARM_SODA_APP_TOKEN")
            field = conf.get("SWARM_SODA_CONTRACTOR_FIELD")
            try:
                response = call(
                    SOURCE,
                    "GET",
                    conf.get("SWARM_SODA_URL"),
                    deadline=deadline,
                    params={
                        "$where": f"upper({field}) like {soql_like(company)}",
                        "$order": "issue_date DESC",
                        "$limit": LIMIT,
                    },
                    headers={"X-App-Token": token} if token else {},
                    quota_statuses=(402, 403),
                )
                if response.status >= 400:
                    raise Malformed(f"HTTP {response.status}")
                records = parse(response.body, company)
            except QuotaExhausted as exc:
                logger.warning("project_finder: %s; the offline datasets answer", exc)
            except Malformed as exc:
                logger.warning("project_finder: the SODA answer was unusable (%s); no pursuit from it", exc)
            else:
                for record in records:
                    ProjectRecord.objects.update_or_create(
                        external_id=record.pop("external_id"),
                        defaults={**record, "source": PursuitSource.PERMIT, "trades": []},
                    )
        return self.offline.run(inp, deadline=deadline)
