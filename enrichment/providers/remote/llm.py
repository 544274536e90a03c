"""classifier over an OpenAI-compatible chat-completions endpoint (the seed's "site, LLM"), with a JSON schema
for org type, trade and sectors (``response_format: json_schema``, strict).

The offline keyword classifier is calibrated on the corpus; the model is not. So the model's answer is asserted
only where the calibrated classifier says the same (the two agree: the higher confidence stands); where they
differ, or the classifier found nothing, the model's answer is offered below θ (the confirm pre-selects it and
asks). Quota spent or no endpoint configured: the offline classifier alone.
"""

from __future__ import annotations

import json
import logging

from routing.enums import Identity, OrgType
from routing.enums import ProfileField as F

from ... import conf
from ..base import AgentInput, AgentOutput, SignalOut
from ..classifier import SECTORS, ClassifierProvider, _trade_library, classify
from ..domains import email_domain, identity_of
from ..site import site_for
from .client import Malformed, QuotaExhausted, call

logger = logging.getLogger("enrichment.remote")
SOURCE = "llm"
UNCALIBRATED_CAP = 0.8  # below θ: a model's unconfirmed answer is a suggestion, never a pre-filled fact
PROMPT = (
    "You classify a construction-industry company from its own website text. org_type: contractor (a general "
    "contractor or construction manager that runs whole projects, including residential remodelers), "
    "sub_contractor (a trade/specialty contractor), or null (a supplier, software vendor, or not enough "
    "evidence). trade: the sub's main trade from the list, else null. Testimonials quote clients: ignore them."
)
TEXT_CAP = 12_000


def schema(trades: list[str]) -> dict:
    return {
        "name": "company_profile",
        "strict": True,
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["org_type", "trade", "sectors"],
            "properties": {
                "org_type": {"type": ["string", "null"], "enum": [OrgType.CONTRACTOR, OrgType.SUB_CONTRACTOR, None]},
                "trade": {"type": ["string", "null"], "enum": [*trades, None]},
                "sectors": {"type": "array", "items": {"type": "string", "enum": sorted(SECTORS)}},
            },
        },
    }


def parse(payload, trades: list[str]) -> dict:
    """The model's JSON answer, validated against the schema (a strict schema can still be ignored by a
    compatible server)."""
    try:
        content = payload["choices"][0]["message"]["content"]
        answer = json.loads(content)
    except (KeyError, IndexError, TypeError, ValueError):
        raise Malformed("no JSON object in choices[0].message.content") from None
    if (
        not isinstance(answer, dict)
        or answer.get("org_type") not in (OrgType.CONTRACTOR, OrgType.SUB_CONTRACTOR, None)
        or answer.get("trade") not in (*trades, None)
        or not isinstance(answer.get("sectors", []), list)
        or any(s not in SECTORS for s in answer.get("sectors", []))
    ):
        raise Malformed(f"the answer does not match the schema: {str(answer)[:200]}")
    return answer


class LlmClassifierProvider:
    agent = "classifier"

    def __init__(self, offline=None):
        self.offline = offline or ClassifierProvider()

    def run(self, inp: AgentInput, *, deadline: float) -> AgentOutput:
        domain = email_domain(inp.email)
        if not domain or identity_of(domain) != Identity.WORK:
            return self.offline.run(inp, deadline=deadline)
        doc = site_for(domain, deadline=deadline)
        if doc is None:
            return AgentOutput([])
        library = _trade_library()
        offline = {s.field: s for s in classify(doc, library)}
        trades = sorted(library)
        try:
            response = call(
                SOURCE,
                "POST",
                conf.get("SWARM_LLM_URL"),
                deadline=deadline,
                headers=_auth(),
                body={
                    "model": conf.get("SWARM_LLM_MODEL"),
                    "temperature": 0,
                    "messages": [
                        {"role": "system", "content": PROMPT},
                        {"role": "user", "content": f"Website of {domain}:\n{doc.text[:TEXT_CAP]}"},
                    ],
                    "response_format": {"type": "json_schema", "json_schema": schema(trades)},
                },
                quota_codes=("insufficient_quota",),
            )
            if response.status >= 400:
                raise Malformed(f"HTTP {response.status}")
            answer = parse(response.body, trades)
        except QuotaExhausted as exc:
            logger.warning("classifier: %s; the offline classifier answers", exc)
            return AgentOutput(list(offline.values()))
        except Malformed as exc:
            logger.warning("classifier: the model's answer was unusable (%s); no signal from it", exc)
            return AgentOutput([])
        return AgentOutput(_merge(offline, answer))


def _auth() -> dict:
    key = conf.get("SWARM_LLM_API_KEY")
    return {"Authorization": f"Bearer {key}"} if key else {}


def _merge(offline: dict[str, SignalOut], answer: dict) -> list[SignalOut]:
    out = []
    for field, value in ((F.ORG_TYPE, answer.get("org_type")), (F.TRADE, answer.get("trade"))):
        mine = offline.get(field)
        if value is None:
            if mine is not None:
                out.append(
                    SignalOut(
                        field,
                        mine.value,
                        min(mine.confidence, UNCALIBRATED_CAP),
                        f"{mine.evidence}; the model found no {field}",
                    )
                )
            continue
        if mine is not None and mine.value == value:
            out.append(SignalOut(field, value, mine.confidence, f"model and {mine.evidence} agree"))
        else:
            out.append(
                SignalOut(
                    field,
                    value,
                    min(0.7, UNCALIBRATED_CAP),
                    f"model (site classifier: {mine.value if mine else 'nothing'})",
                )
            )
    sectors = answer.get("sectors") or []
    if sectors:
        mine = offline.get(F.SECTORS)
        agree = mine is not None and set(sectors) == set(mine.value)
        out.append(SignalOut(F.SECTORS, sectors[:5], mine.confidence if agree else 0.7, "model"))
    if F.PROJECT_MIX in offline:
        out.append(offline[F.PROJECT_MIX])
    return out
