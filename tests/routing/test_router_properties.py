"""Property test: over thousands of profiles with missing, conflicting, low-confidence and malformed fields,
``route`` is total (always answers), deterministic, never asserts a field below θ and never asks one it
already holds at ≥ θ."""

import copy
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.enums import Identity, OrgType, Persona, SizeBand, Warmth
from routing.enums import ProfileField as F
from routing.router import route
from routing.trades import LIBRARY
from routing.types import GATES, FieldValue, Profile, RouterConfig

confidences = st.one_of(
    st.floats(min_value=0, max_value=1),
    st.sampled_from([0.0, 0.84, 0.849999, 0.85, 0.850001, 1.0]),  # around θ
    st.floats(allow_nan=True, allow_infinity=True),  # out of range / NaN
    st.none(),
    st.text(max_size=3),
)
junk = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.booleans(),
)
money = st.one_of(
    st.integers(min_value=-10, max_value=10**12),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)
VALUES = {
    F.IDENTITY: st.one_of(st.sampled_from(Identity.values), junk),
    F.COMPANY: st.one_of(st.text(max_size=20), junk),
    F.ORG_TYPE: st.one_of(st.sampled_from(OrgType.values), junk),
    F.SIZE_BAND: st.one_of(st.sampled_from(SizeBand.values), junk),
    F.REVENUE: money,
    F.ACV: money,
    F.ROLE: st.one_of(st.text(max_size=20), junk),
    F.PERSONA: st.one_of(st.sampled_from(Persona.values), junk),
    F.TRADE: st.one_of(st.sampled_from(sorted(LIBRARY)), junk),
    F.SECTORS: st.one_of(st.lists(st.text(max_size=8), max_size=3), junk),
    F.SERVICE_AREA: st.one_of(st.lists(st.text(max_size=8), max_size=3), junk),
}


@st.composite
def profiles(draw):
    chosen = draw(st.sets(st.sampled_from(sorted(VALUES)), max_size=len(VALUES)))  # any field may be missing
    fields = {name: FieldValue(draw(VALUES[name]), draw(confidences)) for name in sorted(chosen)}
    return Profile(warmth=draw(st.one_of(st.sampled_from(Warmth.values), st.text(max_size=4))), fields=fields)


configs = st.builds(
    RouterConfig,
    theta=st.sampled_from([0.85, 0.5, 0.99, 1.0]),
    gates_on=st.one_of(st.just(frozenset(GATES)), st.frozensets(st.sampled_from(GATES))),
)


DOMAINS = {
    F.ORG_TYPE: OrgType.values,
    F.SIZE_BAND: SizeBand.values,
    F.PERSONA: Persona.values,
    F.TRADE: sorted(LIBRARY),
}


def _valid(name, value):
    """A value the router can use: in the field's enum (or the trade library), else simply non-empty.
    A confident but unusable value (``org_type="banana"``) is not known — asking it is right."""
    if name in DOMAINS:
        return isinstance(value, str) and value in DOMAINS[name]
    return value not in (None, "", [], {})


def _score(fv):
    try:
        c = float(fv.confidence)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(c) else min(max(c, 0.0), 1.0)


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), configs)
def test_route_is_total_deterministic_and_never_asserts_below_theta(profile, config):
    decision = route(profile, config)  # total: any profile gets an answer, no exception

    # deterministic: the same input (and an equal copy of it) gives the same decision
    assert route(profile, config) == decision
    assert route(Profile(warmth=profile.warmth, fields=copy.deepcopy(dict(profile.fields))), config) == decision

    # never assert a field below θ
    for name in decision.asserted:
        assert _score(profile.fields[name]) >= config.theta, (name, profile.fields[name])

    # with every gate on, never (re-)ask a field already held at ≥ θ with a usable value
    if config.gates_on == frozenset(GATES):
        for name in decision.asks:
            fv = profile.fields.get(name)
            known = fv is not None and _valid(name, fv.value) and _score(fv) >= config.theta
            assert not known, (name, fv)

    # a gateTrace entry per gate, in order
    assert [g.gate for g in decision.gate_trace] == list(GATES)
    # a decision never both asserts and asks the same field
    assert not set(decision.asserted) & set(decision.asks)
    if decision.disqualified:
        assert decision.asserted.get(F.ORG_TYPE) == OrgType.CONSUMER and decision.track is None
    else:
        assert decision.track is not None and decision.primary_surface is not None and decision.next_question
