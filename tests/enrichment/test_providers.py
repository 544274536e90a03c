"""Each agent on local fixtures: the sample sites (enrichment/data/sites), the firmographics, permits / bids /
news and bid-invite datasets, and CRM records."""

import time

import pytest

from enrichment.models import SiteSnapshot
from enrichment.providers.base import AgentInput, BudgetExceeded
from enrichment.providers.classifier import ClassifierProvider
from enrichment.providers.domain_site import DomainSiteProvider
from enrichment.providers.domains import email_domain, identity_of, registrable_domain
from enrichment.providers.network_seeder import NetworkSeederProvider
from enrichment.providers.project_finder import ProjectFinderProvider
from enrichment.providers.registry import FixedLatency
from enrichment.providers.role_resolver import RoleResolverProvider
from enrichment.providers.site import site_for
from enrichment.providers.size_estimator import SizeEstimatorProvider
from tests.swarm_support import datasets  # noqa: F401

pytestmark = pytest.mark.django_db


def run(provider, email, *, title="", name="", consent=False, known=None):
    inp = AgentInput(lead_id="l", email=email, name=name, title=title, consent_inbox=consent, known=known or {})
    out = provider.run(inp, deadline=time.monotonic() + 5)
    return {s.field: (s.value, s.confidence) for s in out.signals}, out


@pytest.mark.parametrize(
    ("host", "domain"),
    [
        ("mail.eu.acme.co.uk", "acme.co.uk"),
        ("Acme.com.", "acme.com"),
        ("sub.squiresconstruction.com", "squiresconstruction.com"),
        ("co.uk", ""),
        ("localhost", ""),
        ("bad_domain!.com", ""),
    ],
)
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


def test_free_mail_and_disposable_domains_are_recognised():
    assert identity_of(email_domain("pat@gmail.com")) == "free_mail"
    assert identity_of(email_domain("x@mailinator.com")) == "disposable"
    assert identity_of(email_domain("joe@squiresconstruction.com")) == "work"


def test_domain_site_reads_company_website_hq_and_area_from_the_page_and_schema_org(datasets):
    signals, _ = run(DomainSiteProvider(), "joe@squiresconstruction.com")
    assert signals["identity"] == ("work", 0.99)
    company, confidence = signals["company"]
    # schema.org name and og:site_name agree (the firmographics' "LLC" spelling is the same name): asserted
    assert company == "Squires Construction" and confidence >= 0.85
    assert signals["hq"][0] == "Austin, TX" and signals["hq"][1] >= 0.85
    assert signals["service_area"][0] == ["Austin", "Round Rock", "San Marcos"]
    assert signals["website"][0] == "https://squiresconstruction.com/"


def test_domain_site_falls_back_to_the_serving_sentence_and_firmographics(datasets):
    signals, _ = run(DomainSiteProvider(), "amy@apexdrywall.com")
    # a "serving …" sentence proved right on the calibration corpus: asserted, with the page it came from
    assert signals["service_area"][0] == ["Dallas", "Fort Worth", "Austin"] and signals["service_area"][1] >= 0.85


def test_domain_site_infers_nothing_about_a_company_from_a_personal_mailbox():
    signals, _ = run(DomainSiteProvider(), "pat@gmail.com")
    assert set(signals) == {"identity"} and signals["identity"][0] == "free_mail"
    assert not SiteSnapshot.objects.exists()  # gmail.com is never fetched


def test_classifier_tells_a_gc_from_a_sub_and_names_the_trade(datasets):
    gc, _ = run(ClassifierProvider(), "joe@squiresconstruction.com")
    sub, _ = run(ClassifierProvider(), "amy@apexdrywall.com")
    assert gc["org_type"][0] == "contractor" and gc["org_type"][1] >= 0.85
    assert sub["org_type"][0] == "sub_contractor" and sub["org_type"][1] >= 0.85
    assert sub["trade"][0] == "drywall" and sub["trade"][1] >= 0.85
    assert gc["trade"][1] < 0.85  # a GC that self-performs concrete is not a concrete sub
    assert set(sub["sectors"][0]) >= {"healthcare", "education", "multifamily"}
    assert abs(sum(sub["project_mix"][0].values()) - 1) < 0.02


def test_classifier_asserts_nothing_from_a_thin_site_and_never_disqualifies_on_a_guess(datasets):
    thin, _ = run(ClassifierProvider(), "a@thinsite.com")
    assert all(confidence < 0.85 for _, confidence in thin.values())
    personal, _ = run(ClassifierProvider(), "pat@gmail.com")
    assert personal["org_type"] == ("consumer", 0.6)


def test_classifier_reuses_the_site_domain_site_read(datasets):
    run(DomainSiteProvider(), "joe@squiresconstruction.com")
    first = SiteSnapshot.objects.get(domain="squiresconstruction.com")
    run(ClassifierProvider(), "joe@squiresconstruction.com")
    assert SiteSnapshot.objects.get(domain="squiresconstruction.com").fetched_at == first.fetched_at


def test_size_estimator_uses_the_firmographics_table(datasets):
    signals, _ = run(SizeEstimatorProvider(), "joe@squiresconstruction.com")
    assert signals["revenue"] == ("6000000", 0.92)
    assert signals["size_band"][0] == "small"
    assert signals["acv"][0] == "3600"  # 22 people × 8 % precon share → 2 seats × $1,800


def test_size_estimator_falls_back_to_bonding_capacity_then_the_site(datasets):
    from enrichment.models import Firmographic

    Firmographic.objects.filter(domain="apexdrywall.com").update(revenue=None, bonding_capacity=25_000_000)
    bonded, _ = run(SizeEstimatorProvider(), "amy@apexdrywall.com")
    assert bonded["revenue"] == ("25000000", 0.75)
    Firmographic.objects.filter(domain="cve-electric.com").delete()
    from_site, _ = run(SizeEstimatorProvider(), "x@cve-electric.com")
    revenue, confidence = from_site["revenue"]  # "$240 million in annual revenue": calibrated, so asserted
    assert revenue == "240000000" and confidence >= 0.85
    assert from_site["size_band"][0] == "large"  # "Over 900 employees"


def test_size_estimator_knows_nothing_of_unknown_companies_and_says_so(datasets):
    signals, out = run(SizeEstimatorProvider(), "a@thinsite.com")
    assert signals == {} and not out.pursuits


@pytest.mark.parametrize(
    ("title", "persona", "confidence"),
    [
        ("Chief Estimator", "estimator", 0.9),
        ("VP of Preconstruction", "estimator", 0.9),
        ("President", "owner_exec", 0.9),
        ("Senior Project Manager", "pm", 0.9),
        ("Superintendent", "field", 0.9),
        ("Owner / Estimator", "estimator", 0.7),
    ],
)
def test_role_resolver_reads_titles(title, persona, confidence):
    signals, _ = run(RoleResolverProvider(), "joe@squiresconstruction.com", title=title)
    assert signals["role"] == (title, 0.9) and signals["persona"] == (persona, confidence)


def test_role_resolver_reads_role_mailboxes_below_theta_and_crm_titles(db):
    signals, _ = run(RoleResolverProvider(), "bids@squiresconstruction.com")
    assert signals == {"persona": ("estimator", 0.8)}
    assert run(RoleResolverProvider(), "joe.smith@squiresconstruction.com")[0] == {}
    from gtmos.crm.models import Contact
    from tests.factories import AccountFactory

    Contact.objects.create(account=AccountFactory(domain="squiresconstruction.com"), name="Joe Smith", title="Owner")
    signals, _ = run(RoleResolverProvider(), "joe.smith@squiresconstruction.com", name="Joe Smith")
    assert signals["role"] == ("Owner", 0.9) and signals["persona"][0] == "owner_exec"


def test_project_finder_matches_company_trade_and_geography(datasets):
    _, gc = run(
        ProjectFinderProvider(),
        "joe@squiresconstruction.com",
        known={"company": ("Squires Construction", 0.98), "org_type": ("contractor", 0.97), "hq": ("Austin, TX", 0.92)},
    )
    names = {p.name: p for p in gc.pursuits}
    assert set(names) == {
        "Domain Northside retail shell",
        "Round Rock ISD admin renovation",
        "Austin office tower breaks ground",
    }
    assert names["Domain Northside retail shell"].match_score == 0.95  # its own permit, in its state
    assert names["Austin office tower breaks ground"].status == "watching"  # news is watched, not bid
    _, sub = run(
        ProjectFinderProvider(),
        "amy@apexdrywall.com",
        known={"org_type": ("sub_contractor", 0.96), "trade": ("drywall", 0.97), "hq": ("Dallas, TX", 0.92)},
    )
    assert [p.name for p in sub.pursuits] == ["Parkland hospital tower interiors"]  # not Maine's drywall job


def test_network_seeder_reads_crm_records_and_bid_invites_only_with_consent(datasets):
    from tests.factories import AccountFactory

    AccountFactory(name="Turner Build", vertical="General contractor", region="Dallas, TX", domain="turnerbuild.com")
    AccountFactory(name="Far Away GC", vertical="General contractor", region="Portland, ME")
    AccountFactory(name="Another Drywall Co", vertical="Subcontractor - drywall", region="Dallas, TX")
    known = {"org_type": ("sub_contractor", 0.96), "trade": ("drywall", 0.97), "hq": ("Dallas, TX", 0.92)}
    _, without = run(NetworkSeederProvider(), "amy@apexdrywall.com", known=known)
    assert [(n.company, n.source) for n in without.network] == [("Turner Build", "crm")]
    _, with_consent = run(NetworkSeederProvider(), "amy@apexdrywall.com", known=known, consent=True)
    invites = {n.company: n.strength for n in with_consent.network if n.source == "bid_invite"}
    assert invites == {"Turner Build": 2, "Hensel Works": 1}


def test_a_provider_over_its_budget_times_out_instead_of_hanging(datasets):
    slow = FixedLatency(ClassifierProvider(), seconds=5)
    started = time.monotonic()
    with pytest.raises(BudgetExceeded):
        slow.run(
            AgentInput(lead_id="l", email="joe@squiresconstruction.com", name="", title="", consent_inbox=False),
            deadline=time.monotonic() + 0.2,
        )
    assert time.monotonic() - started < 5  # it gave up at the budget, not after the latency


def test_a_waiter_gives_up_on_someone_elses_fetch_at_its_own_deadline(db):
    SiteSnapshot.objects.create(domain="stuck.com")  # another agent claimed it and is still fetching
    with pytest.raises(BudgetExceeded):
        site_for("stuck.com", deadline=time.monotonic() + 0.2)
