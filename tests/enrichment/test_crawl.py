"""The site crawler with SWARM_SITE_SOURCE=http against multi-page sites served on 127.0.0.1 (the local server
answers for the sites' real names through the test-only SWARM_FETCH_TEST_HOSTS): robots.txt, the about and
contact pages, the page cap, page and DNS timeouts, and the SSRF checks on every hop."""

import time
from pathlib import Path

import pytest

from bench.site_server import SiteServer
from enrichment import fetch as fetch_module
from enrichment.crawl import ArchiveTransport, HttpTransport, crawl
from enrichment.fetch import FetchError, FetchLimits, fetch
from enrichment.providers.base import AgentInput
from enrichment.providers.domain_site import DomainSiteProvider
from enrichment.providers.site import HttpSiteSource, site_for
from enrichment.providers.size_estimator import SizeEstimatorProvider

SITES = Path(__file__).parent / "crawl_sites"


@pytest.fixture
def server():
    with SiteServer(SITES) as srv:
        yield srv


def transport(srv, **kw):
    return HttpTransport(FetchLimits(test_hosts=tuple(srv.test_hosts().items()), **kw))


def html_hits(srv, host):
    return {path for (h, path), n in srv.hits.items() if h == host and not path.endswith((".txt", ".xml"))}


def test_the_crawler_reads_home_about_contact_and_services_and_obeys_robots_txt(server):
    result = crawl("desertvoltelectric.com", transport(server), deadline=time.monotonic() + 5, max_pages=6)
    kinds = [p.kind for p in result.pages]
    assert kinds[0] == "home" and {"about", "contact", "services"} <= set(kinds)
    hits = html_hits(server, "desertvoltelectric.com")
    assert "/private/" not in hits and "/projects/" not in hits  # Disallow: in robots.txt
    assert ("http://desertvoltelectric.com/projects/", "robots.txt") in result.skipped
    assert server.hits[("desertvoltelectric.com", "/robots.txt")] == 1
    assert "/brochure.pdf" not in hits and not any("facebook" in p.url for p in result.pages)


@pytest.mark.parametrize("cap", [1, 2, 3, 6])
def test_never_more_than_the_page_cap(server, cap):
    result = crawl("desertvoltelectric.com", transport(server), deadline=time.monotonic() + 5, max_pages=cap)
    assert len(result.pages) <= cap and len(html_hits(server, "desertvoltelectric.com")) <= cap
    if cap >= 2:
        assert result.pages[1].kind == "about"  # the best page is read first


def test_a_site_whose_robots_txt_disallows_everything_is_never_read(server):
    result = crawl("closedshop.com", transport(server), deadline=time.monotonic() + 5)
    assert result.robots_blocked and not result.pages
    assert html_hits(server, "closedshop.com") == set()


def test_a_js_only_homepage_is_crawled_through_its_sitemap(server):
    result = crawl("spaonly.com", transport(server), deadline=time.monotonic() + 5)
    assert [p.kind for p in result.pages] == ["home", "about", "contact"]


def test_a_slow_page_is_dropped_at_the_deadline_and_the_rest_is_kept(server):
    server.delays["/services"] = 3.0
    started = time.monotonic()
    result = crawl("desertvoltelectric.com", transport(server), deadline=time.monotonic() + 1.0)
    assert time.monotonic() - started < 1.8
    assert ("http://desertvoltelectric.com/services", "timeout") in result.skipped
    assert {"home", "about", "contact"} <= {p.kind for p in result.pages}


def test_a_slow_homepage_is_a_timeout_not_a_hang(server):
    server.delays["/"] = 3.0
    with pytest.raises(FetchError) as err:
        crawl("desertvoltelectric.com", transport(server), deadline=time.monotonic() + 0.6)
    assert err.value.kind == "timeout"


def test_dns_resolution_has_its_own_timeout(monkeypatch):
    def hanging_resolver(host, port):
        time.sleep(3)
        raise OSError("never")

    monkeypatch.setattr(fetch_module, "_getaddrinfo", hanging_resolver)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch("http://slow-dns.example.com/", limits=FetchLimits(dns_s=0.2))
    assert err.value.kind == "dns_timeout" and time.monotonic() - started < 1.0
    with pytest.raises(FetchError) as err:  # the crawler stops at once: the other scheme would not do better
        crawl("slow-dns.example.com", HttpTransport(FetchLimits(dns_s=0.2)), deadline=time.monotonic() + 5)
    assert err.value.kind == "dns_timeout" and time.monotonic() - started < 2.0


def test_every_hop_of_the_crawl_goes_through_the_ssrf_checks(server):
    """/services redirects to the cloud metadata address: refused; the off-site link to it is never followed."""
    server.redirects["/services"] = "http://169.254.169.254/latest/meta-data/"
    result = crawl("desertvoltelectric.com", transport(server), deadline=time.monotonic() + 5, max_pages=8)
    assert ("http://desertvoltelectric.com/services", "blocked_address") in result.skipped
    assert all("169.254" not in p.url for p in result.pages)


def test_test_hosts_reach_loopback_only(server):
    with pytest.raises(FetchError) as err:  # a test-host entry pointing anywhere but loopback is ignored
        fetch(
            "http://10.0.0.5.example/", limits=FetchLimits(test_hosts=(("10.0.0.5.example", "10.0.0.5:80"),), dns_s=1)
        )
    assert err.value.kind in ("dns", "blocked_address")
    with pytest.raises(FetchError) as err:  # and without the entry the same site is refused as loopback
        fetch(f"http://127.0.0.1:{server.port}/", limits=FetchLimits())
    assert err.value.kind == "blocked_address"


def test_the_archive_transport_crawls_a_saved_site_the_same_way():
    result = crawl("desertvoltelectric.com", ArchiveTransport(SITES), deadline=time.monotonic() + 5)
    assert {"home", "about", "contact", "services"} <= {p.kind for p in result.pages}
    assert all("/private/" not in p.url and "/projects/" not in p.url for p in result.pages)


@pytest.mark.django_db
def test_with_the_http_source_the_agents_use_facts_from_about_and_contact(server, settings):
    settings.SWARM_SITE_SOURCE = "http"
    settings.SWARM_FETCH_TEST_HOSTS = server.test_hosts()
    inp = AgentInput(lead_id="l", email="dana@desertvoltelectric.com", name="", title="", consent_inbox=False)
    signals = {s.field: s for s in DomainSiteProvider().run(inp, deadline=time.monotonic() + 5).signals}
    assert signals["company"].value == "Desert Volt Electric"  # not the title's "Commercial Electrical Contractor"
    assert signals["hq"].value == "Tempe, AZ" and "/contact" in signals["hq"].evidence
    assert signals["service_area"].value == ["Phoenix", "Scottsdale", "Tempe", "Mesa"]  # cut at the full stop
    assert "/about-us/" in signals["service_area"].evidence
    size = {s.field: s for s in SizeEstimatorProvider().run(inp, deadline=time.monotonic() + 5).signals}
    assert size["size_band"].value == "mid" and "85" in size["size_band"].evidence  # 85 licensed electricians
    assert sum(n for (h, _), n in server.hits.items() if h == "desertvoltelectric.com" and _ == "/") == 1  # one crawl


@pytest.mark.django_db
def test_the_http_source_reads_a_robots_blocked_site_as_no_site(server, settings):
    settings.SWARM_FETCH_TEST_HOSTS = server.test_hosts()
    assert site_for("closedshop.com", deadline=time.monotonic() + 5, source=HttpSiteSource()) is None
