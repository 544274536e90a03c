"""Writes the calibration corpus: realistic multi-page contractor sites with ground truth per field.

    python enrichment/data/corpus/generate.py     # rewrites sites/ and truth.json (deterministic)

Every kind of company a GTM OS prospect runs: GCs small, mid and enterprise (some listing the many trades they
coordinate, one self-performing concrete), subs across the trades (saying "subcontractor", never saying it,
or describing their clients in GC words), homeowners' remodelers with client testimonials, suppliers, software
vendors, JS-only sites and template lorem ipsum. Facts sit where real sites put them: the name in a logo, a
copyright line or a tagline-first title; headcount and service area often only on /about; the address often
only on /contact; distractors next to them ("over 500 projects", "$10M bonding capacity", "since 1998").

Ground truth records what the site states (None where it states nothing): company, org_type, trade (subs),
hq ("City, ST"), service_area (places), size_band (from a stated headcount), revenue (a stated figure). The
split (train / held-out) alternates within each kind, so both halves hold every kind.
"""

from __future__ import annotations

import html
import json
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
RNG = random.Random(19)

METROS = [
    ("Phoenix", "AZ", "Arizona", ["Scottsdale", "Tempe", "Mesa", "Chandler"], "85004"),
    ("Austin", "TX", "Texas", ["Round Rock", "San Marcos", "Georgetown", "Cedar Park"], "78701"),
    ("Denver", "CO", "Colorado", ["Aurora", "Lakewood", "Boulder", "Littleton"], "80202"),
    ("Charlotte", "NC", "North Carolina", ["Concord", "Gastonia", "Matthews", "Huntersville"], "28202"),
    ("Nashville", "TN", "Tennessee", ["Franklin", "Murfreesboro", "Brentwood", "Hendersonville"], "37203"),
    ("Columbus", "OH", "Ohio", ["Dublin", "Westerville", "Grove City", "Hilliard"], "43215"),
    ("Sacramento", "CA", "California", ["Roseville", "Elk Grove", "Folsom", "Davis"], "95814"),
    ("Tampa", "FL", "Florida", ["Clearwater", "St. Petersburg", "Brandon", "Lakeland"], "33602"),
    ("Salt Lake City", "UT", "Utah", ["Sandy", "Provo", "Ogden", "Draper"], "84101"),
    ("Kansas City", "MO", "Missouri", ["Overland Park", "Olathe", "Independence", "Lee's Summit"], "64105"),
    ("Portland", "OR", "Oregon", ["Beaverton", "Hillsboro", "Gresham", "Vancouver"], "97204"),
    ("Raleigh", "NC", "North Carolina", ["Durham", "Cary", "Chapel Hill", "Apex"], "27601"),
    ("Boise", "ID", "Idaho", ["Meridian", "Nampa", "Eagle", "Caldwell"], "83702"),
    ("Omaha", "NE", "Nebraska", ["Bellevue", "Papillion", "La Vista", "Council Bluffs"], "68102"),
]
NEIGHBOUR_STATE = {
    "AZ": "Nevada",
    "TX": "Oklahoma",
    "CO": "Wyoming",
    "NC": "South Carolina",
    "TN": "Kentucky",
    "OH": "Indiana",
    "CA": "Nevada",
    "FL": "Georgia",
    "UT": "Idaho",
    "MO": "Kansas",
    "OR": "Washington",
    "ID": "Oregon",
    "NE": "Iowa",
}
SURNAMES = [
    "Hartley",
    "Ironwood",
    "Bluebonnet",
    "Summit",
    "Keystone",
    "Ridgeline",
    "Copperleaf",
    "Alder",
    "Granite Peak",
    "Whitaker",
    "Cobalt",
    "Sandoval",
    "Redstone",
    "Pinecrest",
    "Calder",
    "Brightwater",
    "Harbor",
    "Stonegate",
    "Lakeview",
    "Prairie",
    "Westfield",
    "Oakmont",
    "Silverline",
    "Trinity",
    "Meridian",
    "Cascade",
    "Beacon",
    "Foxhall",
    "Mesa Verde",
    "Northgate",
    "Bramwell",
    "Castellan",
    "Driftwood",
    "Emberly",
    "Fairbanks",
    "Gallatin",
    "Holloway",
    "Ingram",
    "Juniper",
    "Kessler",
    "Lockhart",
    "Montrose",
    "Norwood",
    "Osprey",
    "Pemberton",
    "Quarry",
    "Rosewood",
    "Sterling",
    "Thornton",
    "Upland",
    "Vantage",
    "Wexford",
    "Yardley",
    "Zephyr",
    "Ashby",
    "Birchwood",
    "Crestline",
    "Dunmore",
    "Elmhurst",
    "Fenwick",
    "Glenrock",
    "Hawthorne",
    "Ivywood",
    "Jasper",
    "Kingsley",
    "Larkspur",
    "Marlowe",
    "Newhall",
    "Orchard",
    "Palisade",
]
# trade → (company word, people noun, service lines, a phrase a single-trade sub uses without naming its role)
TRADES = {
    "electrical": (
        "Electric",
        "licensed electricians",
        [
            "electrical design-assist",
            "power distribution and switchgear",
            "lighting and lighting controls",
            "electrical service upgrades",
        ],
        "installs electrical systems",
    ),
    "plumbing": (
        "Plumbing",
        "licensed plumbers",
        ["commercial plumbing", "domestic water piping", "fixtures and backflow", "medical gas piping"],
        "installs plumbing and piping",
    ),
    "hvac": (
        "Mechanical",
        "HVAC technicians",
        ["HVAC installation", "ductwork fabrication", "heating and air conditioning", "mechanical service"],
        "installs HVAC systems and ductwork",
    ),
    "drywall": (
        "Drywall",
        "drywall finishers",
        ["drywall and metal studs", "gypsum shaft walls", "Level 5 finishes", "acoustical walls"],
        "hangs and finishes drywall",
    ),
    "acoustical_ceilings": (
        "Ceilings",
        "installers",
        ["suspended ceilings", "acoustical ceilings", "ceiling tile replacement", "specialty ceiling systems"],
        "installs suspended ceilings",
    ),
    "roofing": (
        "Roofing",
        "roofers",
        ["TPO and EPDM roofing", "metal roof systems", "roof replacement", "roofing repairs"],
        "installs commercial roofing",
    ),
    "concrete": (
        "Concrete",
        "craftsmen",
        ["concrete foundations", "flatwork and slabs", "tilt-up walls", "structural concrete"],
        "pours concrete foundations and slabs",
    ),
    "masonry": (
        "Masonry",
        "masons",
        ["brick and CMU masonry", "stone veneer", "masonry restoration", "block walls"],
        "lays brick and block masonry",
    ),
    "painting": (
        "Painting",
        "painters",
        ["commercial painting", "industrial coatings", "wallcovering installation", "exterior painting"],
        "paints and coats commercial buildings",
    ),
    "flooring": (
        "Flooring",
        "installers",
        ["commercial flooring", "carpet and LVT", "resilient flooring", "epoxy floors"],
        "installs commercial flooring",
    ),
    "glazing": (
        "Glass",
        "glaziers",
        ["curtain wall", "storefront systems", "windows and entrances", "glazing repairs"],
        "installs curtain wall and storefront glazing",
    ),
    "fire_sprinkler": (
        "Fire Protection",
        "sprinkler fitters",
        ["fire sprinkler design", "fire protection systems", "sprinklers inspection", "fire suppression"],
        "designs and installs fire sprinkler systems",
    ),
    "landscaping": (
        "Landscape",
        "crew members",
        ["commercial landscaping", "irrigation", "hardscape", "landscape maintenance"],
        "builds commercial landscaping and irrigation",
    ),
    "paving": (
        "Paving",
        "operators",
        ["asphalt paving", "parking lots", "sealcoating", "striping"],
        "paves asphalt parking lots",
    ),
    "earthwork": (
        "Excavating",
        "operators",
        ["excavation", "grading", "site work", "earthwork"],
        "does excavation and grading",
    ),
    "structural_steel": (
        "Steel",
        "ironworkers",
        ["structural steel fabrication", "steel erection", "steel joists", "structural steel"],
        "fabricates and erects structural steel",
    ),
    "insulation": (
        "Insulation",
        "installers",
        ["spray foam insulation", "batt insulation", "firestopping", "insulation"],
        "installs insulation and firestopping",
    ),
    "tile": (
        "Tile",
        "tile setters",
        ["porcelain tile", "stone and marble", "terrazzo", "tile installation"],
        "sets tile and stone",
    ),
    "fencing": (
        "Fence",
        "crew members",
        ["commercial fencing", "gates and access control", "fence repair", "ornamental fence"],
        "builds commercial fence and gates",
    ),
    "low_voltage": (
        "Low Voltage",
        "technicians",
        ["structured cabling", "data cabling", "security systems", "audio visual"],
        "installs structured cabling and security systems",
    ),
    "demolition": (
        "Demolition",
        "crew members",
        ["interior demolition", "selective demo", "abatement", "structure demolition"],
        "does selective demolition",
    ),
    "waterproofing": (
        "Waterproofing",
        "applicators",
        ["below grade waterproofing", "air barrier", "sealants", "waterproofing"],
        "waterproofs foundations and facades",
    ),
    "elevators": (
        "Elevator",
        "mechanics",
        ["elevator installation", "elevator modernization", "escalator service", "elevators"],
        "installs and services elevators",
    ),
    "casework": (
        "Casework",
        "craftsmen",
        ["architectural casework", "custom cabinets", "countertops", "casework"],
        "builds and installs architectural casework",
    ),
    "wood_framing": (
        "Framing",
        "framers",
        ["wood framing", "rough carpentry", "trusses", "framing"],
        "frames multifamily buildings",
    ),
}
SECTOR_WORDS = ["healthcare", "education", "multifamily", "industrial", "hospitality", "retail", "office"]
STREETS = [
    "W Broadway Rd",
    "Commerce Dr",
    "Industrial Blvd",
    "Main St",
    "Market St",
    "Enterprise Way",
    "Oak Ave",
    "Riverside Pkwy",
    "Center St",
    "Airport Rd",
]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


class Site:
    def __init__(self, domain: str, kind: str):
        self.domain, self.kind, self.pages, self.robots = domain, kind, {}, None
        self.sitemap: list[str] | None = None
        self.truth = {
            "company": None,
            "org_type": None,
            "trade": None,
            "hq": None,
            "service_area": None,
            "size_band": None,
            "revenue": None,
        }

    def write(self, root: Path) -> None:
        d = root / self.domain
        d.mkdir(parents=True)
        for path, body in self.pages.items():
            (d / path).parent.mkdir(parents=True, exist_ok=True)
            (d / path).write_text(body)
        if self.robots:
            (d / "robots.txt").write_text(self.robots)
        if self.sitemap:
            locs = "".join(f"<url><loc>https://{self.domain}{p}</loc></url>" for p in self.sitemap)
            (d / "sitemap.xml").write_text(
                f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset '
                f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>\n'
            )


def band(n: int) -> str:
    for limit, name in ((10, "micro"), (50, "small"), (250, "mid"), (1000, "large")):
        if n < limit:
            return name
    return "enterprise"


def page(
    title: str,
    body: str,
    *,
    nav: list[tuple[str, str]],
    name: str | None,
    head: str = "",
    logo: bool = False,
    copyright_: bool = True,
) -> str:
    links = " ".join(f'<a href="{href}">{esc(text)}</a>' for text, href in nav)
    logo_html = (
        f'<a href="/" class="brand"><img src="/assets/logo.svg" class="site-logo" alt="{esc(name)}"></a>'
        if logo and name
        else '<a href="/" class="brand">Home</a>'
    )
    foot = (
        f"<p>&copy; {RNG.choice([2023, 2024, 2025])} {esc(name)}{RNG.choice(['', ', LLC', ', Inc.'])}. All rights reserved.</p>"
        if copyright_ and name
        else "<p>All rights reserved.</p>"
    )
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n<title>{esc(title)}</title>\n{head}\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n<body>\n<header>{logo_html}\n'
        f'<nav>{links} <a href="/privacy-policy">Privacy</a> <a href="https://www.linkedin.com/company/x">LinkedIn</a>'
        f"</nav></header>\n<main>\n{body}\n</main>\n<footer>{foot}</footer>\n</body></html>\n"
    )


def nav_for(rng: random.Random) -> tuple[list[tuple[str, str]], dict[str, str]]:
    about = rng.choice(
        [("About Us", "/about-us/"), ("About", "/about"), ("Our Company", "/company"), ("Who We Are", "/who-we-are")]
    )
    contact = rng.choice([("Contact", "/contact"), ("Contact Us", "/contact-us"), ("Get in Touch", "/contact")])
    services = rng.choice([("Services", "/services"), ("What We Do", "/what-we-do"), ("Capabilities", "/capabilities")])
    projects = rng.choice([("Projects", "/projects"), ("Portfolio", "/portfolio")])
    nav = [about, services, projects, ("Careers", "/careers"), contact]
    files = {
        k: (v[1].strip("/") + ".html")
        for k, v in (("about", about), ("contact", contact), ("services", services), ("projects", projects))
    }
    return nav, files


def schema(name: str, kind_type: str, city: str, st: str, zipc: str, street: str, area: list[str] | None) -> str:
    obj = {
        "@context": "https://schema.org",
        "@type": kind_type,
        "name": name,
        "telephone": "+1-555-010-2000",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": street,
            "addressLocality": city,
            "addressRegion": st,
            "postalCode": zipc,
        },
    }
    if area:
        obj["areaServed"] = area
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def area_sentence(rng: random.Random, metro) -> tuple[str, list[str]]:
    city, st, state, near, _ = metro
    form = rng.randrange(6)
    if form == 5:
        return f"Serving the {city}–{near[0]} metro area and beyond.", [f"{city}–{near[0]}"]
    if form == 0:
        places = [city, *near[: rng.choice([2, 3])]]
        return f"serving {', '.join(places[:-1])} and {places[-1]}.", places
    if form == 1:
        return f"We serve the greater {city} area.", [f"Greater {city}"]
    if form == 2:
        return f"Proudly serving {state} and {NEIGHBOUR_STATE[st]} since {rng.randint(1985, 2012)}.", [
            state,
            NEIGHBOUR_STATE[st],
        ]
    if form == 3:
        places = [city, *near[:3]]
        return f"Our crews are serving {', '.join(places)}.", places
    return f"We work throughout {state}.", [state]


def headcount_sentence(rng: random.Random, n: int, noun: str) -> str:
    return rng.choice(
        [
            f"Today we are a team of {n} {noun} and project managers.",
            f"We employ {n} {noun}.",
            f"Our {n} {noun} bring decades of field experience.",
            f"With over {n} employees, we have the capacity for large projects.",
            f"We have {n}+ professionals on staff.",
            f"We are a {n}-person team.",
            f"{n} full-time employees work out of our shop.",
            f"A staff of {n} handles every project.",
        ]
    )


def revenue_sentence(rng: random.Random, millions: float) -> tuple[str, int]:
    if millions >= 1000:
        b = round(millions / 1000, 1)
        return f"With ${b} billion in annual revenue, we rank among the nation's top builders.", int(b * 1e9)
    m = int(millions)
    return rng.choice(
        [
            f"We complete ${m}M in annual volume.",
            f"Annual revenue of ${m} million.",
            f"We put ${m}M+ in place annually.",
            f"The company now does ${m} million in annual construction volume.",
        ]
    ), m * 1_000_000


DISTRACTORS = [
    "Over 500 projects completed since {year}.",
    "Bonding capacity of $25 million per project.",
    "Serving clients with integrity since {year}.",
    "More than 30 years of experience.",
    "Our safety record: 1,000,000 hours without a lost-time incident.",
    "Ask about our 10-year warranty.",
]


def build_company(rng: random.Random, kind: str, domain: str, name: str, metro, trade: str | None) -> Site:
    site = Site(domain, kind)
    city, st, state, near, zipc = metro
    nav, files = nav_for(rng)
    street = f"{rng.randint(100, 9800)} {rng.choice(STREETS)}"
    t = TRADES.get(trade) if trade else None
    placement = rng.choice(["home", "about", "about", "contact"])  # where headcount and service area sit
    use_schema, use_og, use_logo = rng.random() < 0.3, rng.random() < 0.4, rng.random() < 0.5
    tagline = {
        "gc": rng.choice(
            [
                "General Contractor",
                "Commercial Construction",
                "Construction Management & General Contracting",
                "Building What Matters",
            ]
        ),
        "sub": f"Commercial {t[0] if t else ''} Contractor".replace("  ", " "),
        "remodeler": rng.choice(["Kitchen & Bath Remodeling", "Home Remodeling & Renovation"]),
    }.get(kind.split("_")[0], "Home")
    title_form = rng.randrange(4)
    title = [f"{name} | {tagline}", f"{tagline} | {name}", f"{tagline} in {city}, {st} | {name}", f"Home - {name}"][
        title_form
    ]
    head = ""
    size_n = None
    revenue = None
    # --- the words of each kind ---------------------------------------------------------------------------
    sectors = rng.sample(SECTOR_WORDS, 3)
    if kind.startswith("gc") or kind == "remodeler":
        site.truth["org_type"] = "contractor"
    elif kind.startswith("sub"):
        site.truth["org_type"], site.truth["trade"] = "sub_contractor", trade
    if kind == "gc_small":
        intro = (
            f"{name} is a general contractor building {sectors[0]} and {sectors[1]} projects. We handle "
            f"preconstruction, permitting and construction management from the first estimate to the punch list."
        )
        size_n = rng.randint(8, 45)
        svc = ["General contracting", "Construction management", "Tenant improvement", "Design-build"]
    elif kind == "gc_mid":
        intro = (
            f"Founded in {rng.randint(1970, 2005)}, {name} is a full-service general contractor and construction "
            f"manager for {sectors[0]}, {sectors[1]} and {sectors[2]} owners. Our preconstruction services team "
            f"prices every job early, and we self-perform concrete and carpentry."
        )
        size_n = rng.randint(60, 240)
        revenue = rng.choice([45, 60, 85, 120, 180])
        svc = ["Preconstruction services", "General contracting", "CM at risk", "Design-build"]
    elif kind == "gc_enterprise":
        intro = (
            f"{name} is one of the nation's largest construction management and general contracting firms, "
            f"delivering complex {sectors[0]} and {sectors[1]} programs with CM-at-risk and design-build delivery."
        )
        size_n = rng.choice([1200, 2500, 4800])
        revenue = rng.choice([1200, 2400, 3800])
        svc = ["Construction management", "Preconstruction services", "Virtual design and construction", "Self-perform"]
    elif kind == "gc_many":
        trades = rng.sample(sorted(TRADES), 6)
        words = ", ".join(TRADES[x][2][0] for x in trades[:-1]) + f" and {TRADES[trades[-1]][2][0]}"
        intro = (
            f"As your general contractor, {name} coordinates every trade on the job: {words}. "
            f"We coordinate our trade partners and manage our subcontractors so owners get one point of contact."
        )
        size_n = rng.choice([None, rng.randint(20, 150)])
        svc = [TRADES[x][2][1].capitalize() for x in trades[:4]]
    elif kind == "gc_concrete":
        intro = (
            f"{name} is a general contractor that self-performs concrete. Our concrete crews pour foundations, "
            f"slabs and tilt-up walls, and our construction management team runs the whole job."
        )
        size_n = rng.randint(40, 180)
        svc = ["Concrete foundations", "Tilt-up construction", "General contracting", "Construction management"]
    elif kind == "remodeler":
        intro = (
            f"{name} is a design and remodel firm helping homeowners with kitchen and bath remodeling, additions "
            f"and whole-home renovation. Licensed, insured and focused on residential projects."
        )
        size_n = rng.choice([None, rng.randint(5, 30)])
        svc = ["Kitchen remodeling", "Bathroom remodeling", "Home additions", "Whole-home renovation"]
    elif kind == "sub_explicit":
        intro = (
            f"{name} is a specialty subcontractor. Our {t[1]} deliver {t[2][0]}, {t[2][1]} and {t[2][2]} for "
            f"{sectors[0]} and {sectors[1]} projects."
        )
        size_n = rng.randint(12, 400)
        svc = [s.capitalize() for s in t[2]]
    elif kind == "sub_implicit":  # never says "subcontractor"
        intro = (
            f"{name} {t[3]} for {sectors[0]} and {sectors[1]} buildings. {t[2][0].capitalize()}, {t[2][1]} "
            f"and {t[2][3]} — our {t[1]} do it all in-house."
        )
        size_n = rng.choice([None, rng.randint(6, 120)])
        svc = [s.capitalize() for s in t[2]]
    elif kind == "sub_residential":  # a trade contractor serving homeowners directly
        intro = (
            f"{name} offers residential and light commercial {t[2][0]} and {t[2][3]}. Our {t[1]} "
            f"handle repairs, upgrades and new installs for homeowners and property managers."
        )
        size_n = rng.choice([None, rng.randint(4, 40)])
        svc = [s.capitalize() for s in t[2]]
    elif kind == "sub_gcwords":  # the sub describes its clients and work in GC words
        intro = (
            f"We work for general contractors on tenant improvement and build-out projects. {name} delivers "
            f"{t[2][0]}, {t[2][1]} and {t[2][2]} on schedule, partnering with the region's leading general contractors."
        )
        size_n = rng.randint(15, 300)
        svc = [s.capitalize() for s in t[2]]
    else:
        raise ValueError(kind)
    noun = t[1] if t else rng.choice(["employees", "professionals", "team members", "craftsmen"])
    if size_n:
        hc = headcount_sentence(rng, size_n, noun)
        site.truth["size_band"] = band(size_n)
    else:
        hc = ""
    rev_text = ""
    if revenue:
        rev_text, site.truth["revenue"] = revenue_sentence(rng, revenue)
    area_text, area = area_sentence(rng, metro)
    site.truth["service_area"] = area
    follow = rng.choice(
        [
            " We provide estimating, scheduling and field supervision.",
            " We are licensed, bonded and insured.",
            " Call today for a free estimate.",
        ]
    )
    area_text += follow
    distractor = rng.choice(DISTRACTORS).format(year=rng.randint(1980, 2010))
    testimonials = ""
    if kind == "remodeler":
        testimonials = (
            '<section class="testimonials"><blockquote>“They helped us remodel my kitchen and the whole '
            "house feels new. I would hire them again for our home.” — Jen P.</blockquote>"
            "<blockquote>“We love our home now. Best decision for my house.” — Mark T.</blockquote></section>"
        )
    elif kind == "sub_residential":
        testimonials = (
            '<div class="review-card"><p>Great crew! They fixed my house fast and kept our home clean.</p>'
            '<p class="review-author">Sarah K.</p></div>'
        )
    elif rng.random() < 0.35:
        testimonials = (
            "<blockquote>“As a general contractor we rely on them on every job — the best in "
            f"{city}.” — Project Executive, {rng.choice(SURNAMES)} Builders</blockquote>"
        )
    # --- where the name shows --------------------------------------------------------------------------------
    if use_schema:
        org_type = {
            "gc": "GeneralContractor",
            "sub": "HomeAndConstructionBusiness",
            "remodeler": "HomeAndConstructionBusiness",
        }
        head += schema(
            name,
            org_type.get(kind.split("_")[0], "Organization"),
            city,
            st,
            zipc,
            street,
            area if rng.random() < 0.5 else None,
        )
    if use_og:
        head += f'\n<meta property="og:site_name" content="{esc(name)}">'
    site.truth["company"] = name
    site.truth["hq"] = f"{city}, {st}"
    # --- pages ---------------------------------------------------------------------------------------------------
    home_facts = f"<p>{esc(hc)} {esc(rev_text)}</p><p>{esc(area_text)}</p>" if placement == "home" else ""
    svc_list = "".join(f"<li>{esc(s)}</li>" for s in svc)
    home = (
        f"<h1>{esc(tagline)}</h1>\n<p>{esc(intro)}</p>\n{home_facts}\n<h2>What we do</h2><ul>{svc_list}</ul>\n"
        f"<p>{esc(distractor)}</p>\n{testimonials}"
    )
    address_html = (
        f"<address>{esc(street)}<br>{esc(city)}, {st} {zipc}</address><p>Phone: (555) 010-{rng.randint(1000, 9999)}</p>"
    )
    if placement != "contact" and rng.random() < 0.5:
        home += f"\n<p>{esc(street)}, {esc(city)}, {st} {zipc}</p>"
    site.pages["index.html"] = page(title, home, nav=nav, name=name, head=head, logo=use_logo)
    about_facts = "" if placement == "home" else f"<p>{esc(hc)} {esc(rev_text)}</p><p>{esc(area_text)}</p>"
    site.pages[files["about"]] = page(
        f"About | {name}",
        f"<h1>About {esc(name)}</h1><p>{esc(intro)}</p>{about_facts}"
        f"<p>{esc(rng.choice(DISTRACTORS).format(year=1999))}</p>",
        nav=nav,
        name=name,
    )
    site.pages[files["contact"]] = page(
        f"Contact | {name}", f"<h1>Contact us</h1>{address_html}<p>Email: info@{domain}</p>", nav=nav, name=name
    )
    site.pages[files["services"]] = page(
        f"Services | {name}", f"<h1>Services</h1><ul>{svc_list}</ul>", nav=nav, name=name
    )
    site.pages[files["projects"]] = page(
        f"Projects | {name}",
        f"<h1>Recent projects</h1><p>{esc(sectors[0]).capitalize()} project, {esc(near[0])}.</p>",
        nav=nav,
        name=name,
    )
    site.pages["careers.html"] = page(
        f"Careers | {name}", "<h1>Join our team</h1><p>We are hiring.</p>", nav=nav, name=name
    )
    if rng.random() < 0.3:
        site.robots = "User-agent: *\nDisallow: /careers\nDisallow: /wp-admin/\n"
    return site


def build_vendor(rng: random.Random, kind: str, domain: str, name: str, metro) -> Site:
    site = Site(domain, kind)
    city, st, _state, _near, zipc = metro
    nav, files = nav_for(rng)
    if kind == "supplier":
        trade = rng.choice(["drywall", "roofing", "plumbing", "electrical"])
        body = (
            f"<h1>{esc(name)}: building materials supplier</h1><p>{esc(name)} is a wholesale distributor of "
            f"{esc(TRADES[trade][2][0])}, {esc(TRADES[trade][2][1])} and jobsite supplies. Our showroom and yard "
            f"serve contractors; browse the product catalog or request a quote.</p>"
        )
        title = f"{name} | Building Supply & Distribution"
    else:
        body = (
            f"<h1>Construction software built for the field</h1><p>{esc(name)} is project management software "
            f"for general contractors and subcontractors. Estimating, scheduling, bid management and daily logs "
            f"in one platform. Request a demo or start a free trial.</p><p>See pricing plans and integrations.</p>"
        )
        title = f"{name} - Construction Management Software"
    site.pages["index.html"] = page(title, body, nav=nav, name=name, logo=True)
    site.pages[files["about"]] = page(
        f"About {name}",
        f"<p>{esc(name)} was founded in {rng.randint(2005, 2019)} and is headquartered in {esc(city)}, {st}.</p>",
        nav=nav,
        name=name,
    )
    site.pages[files["contact"]] = page(
        f"Contact {name}",
        f"<address>{rng.randint(10, 999)} Market St, {esc(city)}, {st} {zipc}</address>",
        nav=nav,
        name=name,
    )
    site.truth.update(company=name, hq=f"{city}, {st}")
    return site


def build_js_only(rng: random.Random, domain: str, name: str, metro, with_about: bool) -> Site:
    site = Site(domain, "js_only")
    site.pages["index.html"] = (
        '<!doctype html><html><head><title>Loading…</title><script src="/static/app.js">'
        '</script></head><body><div id="root"></div><noscript>You need to enable JavaScript to '
        "run this app.</noscript></body></html>\n"
    )
    if with_about:
        city, st, state, near, zipc = metro
        site.sitemap = ["/", "/about", "/contact"]
        site.pages["about.html"] = page(
            f"About | {name}",
            f"<p>{esc(name)} is a general contractor and construction "
            f"manager. We build healthcare and education projects. We serve the greater "
            f"{esc(city)} area. We are licensed and bonded.</p>",
            nav=[],
            name=name,
        )
        site.pages["contact.html"] = page(
            f"Contact | {name}",
            f"<address>{rng.randint(100, 999)} Main St, {esc(city)}, {st} {zipc}</address>",
            nav=[],
            name=name,
        )
        site.truth.update(company=name, org_type="contractor", hq=f"{city}, {st}", service_area=[f"Greater {city}"])
    return site


def build_lorem(rng: random.Random, domain: str) -> Site:
    site = Site(domain, "lorem")
    nav = [("About", "/about"), ("Services", "/services"), ("Contact", "/contact")]
    lorem = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et "
        "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation."
    )
    site.pages["index.html"] = page(
        "Company Name | Home",
        f"<h1>Welcome to Company Name</h1><p>{lorem}</p>"
        f"<h2>Our Services</h2><p>Service One. Service Two. Service Three.</p>",
        nav=nav,
        name="Company Name",
        logo=True,
    )
    site.pages["about.html"] = page(
        "About | Company Name",
        f"<p>{lorem}</p><p>Our team of experts is here to help.</p>",
        nav=nav,
        name="Company Name",
    )
    site.pages["contact.html"] = page(
        "Contact | Company Name",
        "<address>123 Main Street, Your City, ST 00000</address><p>Phone: (000) 000-0000</p>",
        nav=nav,
        name="Company Name",
    )
    return site


PLAN = [
    ("gc_small", 8),
    ("gc_mid", 7),
    ("gc_enterprise", 4),
    ("gc_many", 5),
    ("gc_concrete", 2),
    ("remodeler", 5),
    ("sub_explicit", 12),
    ("sub_implicit", 8),
    ("sub_gcwords", 6),
    ("sub_residential", 4),
    ("supplier", 3),
    ("vendor", 3),
]


def main() -> None:
    out = HERE / "sites"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    names = iter(RNG.sample(SURNAMES, len(SURNAMES)))
    trade_cycle = iter(sorted(TRADES) * 3)
    truth = []
    for kind, count in PLAN:
        for i in range(count):
            metro = RNG.choice(METROS)
            surname = next(names)
            if kind.startswith("sub"):
                trade = next(trade_cycle)
                name = f"{surname}{RNG.choice(['', '', '', ' & Sons'])} {TRADES[trade][0]}"
            else:
                trade = None
                name = {
                    "gc_small": f"{surname} Construction",
                    "gc_mid": f"{surname} Builders",
                    "gc_enterprise": f"{surname} Construction Group",
                    "gc_many": f"{surname} Contracting",
                    "gc_concrete": f"{surname} Construction",
                    "remodeler": f"{surname} Home Remodeling",
                    "supplier": f"{surname} Supply Co",
                    "vendor": f"{surname}Build",
                }[kind]
            slug = name.lower().replace(" ", "").replace("'", "").replace("&", "")
            domain = RNG.choice([f"{slug}.com", f"{slug}.com", f"{slug[:14]}.com", f"{slug}-inc.com"])
            if kind in ("supplier", "vendor"):
                site = build_vendor(RNG, kind, domain, name, metro)
            else:
                site = build_company(RNG, kind, domain, name, metro, trade)
            site.write(out)
            truth.append({"domain": domain, "kind": kind, "split": "train" if i % 2 == 0 else "test", **site.truth})
    for i, with_about in enumerate([False, True, True]):
        name = f"{next(names)} Builders"
        domain = name.lower().replace(" ", "") + ".com"
        site = build_js_only(RNG, domain, name, RNG.choice(METROS), with_about)
        site.write(out)
        truth.append({"domain": domain, "kind": "js_only", "split": "train" if i % 2 == 0 else "test", **site.truth})
    for i in range(3):
        domain = f"template-site-{i + 1}.com"
        build_lorem(RNG, domain).write(out)
        truth.append(
            {
                "domain": domain,
                "kind": "lorem",
                "split": "train" if i % 2 == 0 else "test",
                **Site(domain, "lorem").truth,
            }
        )
    (HERE / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")
    print(f"{len(truth)} sites written to {out}")


if __name__ == "__main__":
    main()
