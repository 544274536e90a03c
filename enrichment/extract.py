"""Facts a company states about itself on its site: name, HQ, phone, service area, headcount, revenue, licence
numbers — each with a raw confidence (how strong the evidence is) and the page it came from.

Pure functions of a parsed site (``SiteDoc``), so the agents and the calibration command (``manage.py
enrichment_calibrate``) run exactly the same code. Raw confidences are mapped to calibrated ones by
``calibration.calibrated`` (fitted on the labelled corpus); these are the evidence scores it maps.

What the failures on real sites taught: a page title is mostly a tagline ("Commercial Electrical Contractor |
…"), so a title part is a name only if it is not generic or it matches the domain; a service area ends at the
sentence's end ("… Tempe and Mesa. We provide …"); headcount is stated as "85 licensed electricians", "a team
of 12", "over 300 employees"; and bonding capacity is not revenue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .providers.site import SiteDoc

US_STATES = {
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "AB",
    "BC",
    "MB",
    "NB",
    "NL",
    "NS",
    "ON",
    "PE",
    "QC",
    "SK",
}
GENERIC_WORDS = {
    "home",
    "welcome",
    "index",
    "homepage",
    "page",
    "official",
    "site",
    "website",
    "the",
    "a",
    "an",
    "and",
    "of",
    "&",
    "for",
    "in",
    "your",
    "our",
    "best",
    "top",
    "leading",
    "trusted",
    "quality",
    "professional",
    "local",
    "services",
    "service",
    "solutions",
    "company",
    "companies",
    "contractor",
    "contractors",
    "contracting",
    "construction",
    "builders",
    "builder",
    "building",
    "commercial",
    "residential",
    "industrial",
    "general",
    "specialty",
    "electrical",
    "electric",
    "plumbing",
    "mechanical",
    "hvac",
    "roofing",
    "drywall",
    "concrete",
    "painting",
    "remodeling",
    "renovation",
    "renovations",
    "design",
    "build",
    "design-build",
    "installation",
    "installer",
    "interiors",
    "interior",
    "exteriors",
    "subcontractor",
    "management",
    "repair",
    "repairs",
    "maintenance",
    "inc",
    "llc",
    "name",
    "business",
    "about",
    "us",
    "contact",
    "lorem",
    "ipsum",
    "dolor",
    "amet",
    "coming",
    "soon",
    "loading",
    "untitled",
    "new",
    "custom",
    "homes",
    "kitchen",
    "bath",
    "flooring",
    "glass",
    "steel",
    "masonry",
    "landscaping",
    "excavation",
    "paving",
    "fire",
    "protection",
    "sprinkler",
    "systems",
    "engineering",
}
PLACEHOLDER_NAMES = {
    "companyname",
    "yourcompany",
    "businessname",
    "yourbusiness",
    "loremipsum",
    "sitename",
    "mysite",
    "yourname",
    "brandname",
    "acmeinc",
    "example",
}
LEGAL_SUFFIX = re.compile(
    r"[,\s]+(?:llc|l\.l\.c\.|inc\.?|incorporated|corp\.?|corporation|co\.?|ltd\.?|lp|llp|pllc|pc)\s*$", re.IGNORECASE
)
_TITLE_SPLIT = re.compile(r"\s+[|\-–—:·•]\s+|\s*[|•·]\s*")
_COPYRIGHT = re.compile(
    r"(?:©|&copy;|\(c\)|copyright)\s*(?:©\s*)?(?:(?:19|20)\d{2}\s*(?:[-–]\s*(?:19|20)\d{2})?\s*)?"
    r"([A-Z][\w&.,' -]{1,80}?)\s*(?:\.|,)?\s*(?:all rights|$|\n|\|)",
    re.IGNORECASE,
)
_ABBREVIATIONS = (
    "St",
    "Ft",
    "Mt",
    "Inc",
    "Co",
    "Corp",
    "Ltd",
    "No",
    "Jr",
    "Sr",
    "Dr",
    "Ave",
    "Blvd",
    "Rd",
    "Ste",
    "U.S",
    "D.C",
    "Mr",
    "Ms",
    "Mrs",
    "Lic",
    "approx",
    "e.g",
    "i.e",
    "vs",
    "Bros",
)
_ADDRESS = re.compile(
    r"(?:^|,\s*|\n|\s{2,}|\b(?:Suite|Ste\.?|Unit)\s+\w+\s+)([A-Z][A-Za-z.' ]{1,30}?),\s*([A-Z]{2})\s+\d{5}(?:-\d{4})?\b"
)
_HQ_TEXT = re.compile(
    r"\b(?:headquartered|headquarters|based|located)\s+in\s+(?:the\s+)?([A-Z][A-Za-z.' -]{1,30}?),\s*([A-Z]{2})\b"
)
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?!\d)")
_LICENCE = re.compile(
    r"\b((?:ROC|CSLB|Lic(?:ense|ence)?\.?|Contractor(?:'s)? License|Reg(?:istration)?\.?)"
    r"\s*(?:No\.?|Number|#)?\s*:?\s*#?\s*([A-Z]{0,3}-?\d{4,9}))",
    re.IGNORECASE,
)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d{1,6})"
_PEOPLE_NOUN = (
    r"(?:employees|staff(?:\s+members)?|people|team\s+members|professionals|electricians|plumbers|"
    r"carpenters|craftsmen|craftspeople|tradesmen|tradespeople|technicians|workers|installers|crew\s+members|"
    r"field\s+employees|associates|union\s+members|pipefitters|ironworkers|roofers|painters|masons|framers|"
    r"applicators|glaziers|fitters|sprinkler\s+fitters|setters|tile\s+setters|finishers|drywall\s+finishers|"
    r"operators|mechanics|hangers|laborers|estimators\s+and\s+craftsmen)"
)
_PEOPLE_ADJ = (
    r"(?:(?:licensed|skilled|full-time|full\s+time|field|union|certified|experienced|dedicated|trained|"
    r"talented|highly\s+skilled|in-house|professional|master|journeyman|factory-trained)\s+){0,3}"
)
_HEADCOUNT = (
    re.compile(
        rf"\b(?:team|staff|workforce|crew)\s+of\s+(?:over\s+|more\s+than\s+|nearly\s+|about\s+)?{_NUMBER}\+?"
        rf"(?:\s+{_PEOPLE_ADJ}{_PEOPLE_NOUN})?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bemploys?\s+(?:over\s+|more\s+than\s+|nearly\s+|about\s+|approximately\s+)?{_NUMBER}\+?\s+"
        rf"{_PEOPLE_ADJ}{_PEOPLE_NOUN}?",
        re.IGNORECASE,
    ),
    # "85 licensed electricians", "64 HVAC technicians": one trade word may stand before the noun
    re.compile(rf"(?<![$\d.,])\b{_NUMBER}\+?\s+{_PEOPLE_ADJ}(?:[A-Za-z]+\s+)?{_PEOPLE_NOUN}\b", re.IGNORECASE),
    re.compile(
        rf"\b{_NUMBER}-(?:person|member|employee|strong)\s+(?:team|staff|crew|workforce|company|firm)\b", re.IGNORECASE
    ),
)
_MONEY = r"\$\s?(\d{1,4}(?:\.\d{1,2})?)\s*(billion|million|bn|mm|m|b)\b\+?"
_REVENUE = (
    re.compile(
        rf"{_MONEY}\s*(?:in\s+|of\s+)?(?:annual|yearly|average\s+annual)?\s*(?:gross\s+)?"
        rf"(?:revenue|revenues|sales|volume|construction\s+volume|billings)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:annual|yearly)\s+(?:revenue|revenues|sales|volume|construction\s+volume)\s+(?:of|exceeds?|exceeding|"
        rf"over|tops?|topping|is|was|near|approaching)?\s*(?:over\s+|more\s+than\s+|nearly\s+)?{_MONEY}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_MONEY}\s+(?:(?:of\s+)?(?:work\s+)?in\s+place\s+|of\s+work\s+)?(?:annually|a\s+year|per\s+year|each\s+year)\b",
        re.IGNORECASE,
    ),
)
_NOT_REVENUE = re.compile(
    r"bonding|bond\s+capacity|single\s+project|project\s+value|insurance|coverage|raised|funding", re.IGNORECASE
)
_AREA_TRIGGER = re.compile(
    r"\b(?:proudly\s+)?(?:serving|serves|serve|service\s+area(?:s)?\s*(?:is|includes|:)?|"
    r"we\s+work\s+(?:throughout|across|in))\s+",
    re.IGNORECASE,
)
_AREA_FILLER = re.compile(r"(?:(?:[a-z][a-z-]*\s+){0,6}?(?:in|across|throughout|of)\s+)?(?:all\s+of\s+)?(?:the\s+)?")
_NAME = r"[A-Z][A-Za-z.'-]+(?:\s+[A-Z][A-Za-z.'-]+){0,3}"
# "Dallas–Fort Worth" is one place; "the Phoenix metro area" is Phoenix.
_PLACE = re.compile(
    rf"(?:[Gg]reater\s+)?{_NAME}(?:\s*[–—]\s*{_NAME}|-{_NAME})?(?:,\s*[A-Z]{{2}}\b)?"
    r"(?:\s+(?:metro\s+area|metropolitan\s+area|area|metro|region|metroplex|valley))?"
)
_AREA_ETC = re.compile(
    r",?\s*(?:and|&)\s+(?:beyond|more|nearby|(?:the\s+)?surrounding\s+(?:areas?|communities|"
    r"cities|counties|region)|(?:all\s+)?nearby\s+(?:areas|communities|cities))\s*$",
    re.IGNORECASE,
)
_PLACE_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|&\s+)?|;\s*|\s+and\s+|\s*&\s*|\s+or\s+|\s*/\s*)")
NOT_PLACES = {
    "Fortune",
    "General",
    "Contractors",
    "Owners",
    "Clients",
    "Customers",
    "Commercial",
    "Residential",
    "Industrial",
    "Healthcare",
    "Our",
    "We",
    "Us",
    "You",
    "Your",
    "The",
    "All",
    "Since",
    "Over",
    "More",
    "Developers",
    "Architects",
    "Homeowners",
    "Businesses",
    "Property",
    "Institutions",
    "Government",
    "Education",
    "Hospitality",
    "Retail",
    "Multifamily",
    "Schools",
    "Hospitals",
    "Each",
    "Every",
}


@dataclass(frozen=True)
class Fact:
    value: object
    confidence: float  # raw evidence strength; calibration maps it to an observed accuracy
    source: str  # what the evidence was
    url: str  # the page it came from (provenance)

    @property
    def evidence(self) -> str:
        return f"{self.source} ({self.url})" if self.url else self.source


def norm_name(name: str) -> str:
    name = LEGAL_SUFFIX.sub("", name.strip())
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("&", "and"))


def clean_name(name: str) -> str:
    name = " ".join(name.split()).strip(" ,.-|")
    name = re.sub(r"\s+logo$", "", name, flags=re.IGNORECASE)
    return LEGAL_SUFFIX.sub("", name).strip(" ,.")


def is_generic(name: str) -> bool:
    words = re.findall(r"[a-z0-9&-]+", name.lower())
    if not words or norm_name(name) in PLACEHOLDER_NAMES or len(name) > 60:
        return True
    return all(w in GENERIC_WORDS or w in {s.lower() for s in US_STATES} for w in words)


def _domain_label(domain: str) -> str:
    return re.sub(r"[^a-z0-9]", "", domain.split(":")[0].rsplit(".", 1)[0].split(".")[-1].lower())


def _matches_domain(name: str, domain: str) -> bool:
    label, key = _domain_label(domain), norm_name(name)
    if not key or not label:
        return False
    initials = "".join(w[0] for w in re.findall(r"[A-Za-z0-9]+", LEGAL_SUFFIX.sub("", name))).lower()
    return (
        key in label
        or label in key
        or label.startswith(key[:8])
        and len(key) >= 6
        or (len(initials) >= 2 and label.startswith(initials))
    )


def company(doc: SiteDoc) -> Fact | None:
    """The best-supported name: deliberate markup first, then the logo and the copyright line, then title
    parts; never a generic phrase. Sources that agree (and a name that matches the domain) count for more."""
    found: list[Fact] = []
    home = doc.final_url
    for org in doc.organizations():
        name = org.get("name")
        if isinstance(name, str) and not is_generic(clean_name(name)):
            found.append(Fact(clean_name(name), 0.9, "schema.org name", org.get("_page", home)))
            break
    if doc.meta.get("og:site_name") and not is_generic(clean_name(doc.meta["og:site_name"])):
        found.append(Fact(clean_name(doc.meta["og:site_name"]), 0.85, "og:site_name", home))
    if doc.meta.get("logo_alt") and not is_generic(clean_name(doc.meta["logo_alt"])):
        found.append(Fact(clean_name(doc.meta["logo_alt"]), 0.75, "logo alt text", home))
    for url, _kind, text in doc.page_texts():  # the homepage's footer first; a JS-only homepage has none
        match = next(
            (
                m
                for m in _COPYRIGHT.finditer(text[-3000:])
                if not is_generic(clean_name(re.split(r"\.\s|\s[|•]\s", m.group(1))[0]))
            ),
            None,
        )
        if match:
            name = clean_name(re.split(r"\.\s|\s[|•]\s", match.group(1))[0])
            if len(name.split()) <= 6:
                found.append(Fact(name, 0.75, "copyright line", url))
                break
    titles = (
        [(p["url"], p.get("title", ""), p is doc.pages[0]) for p in doc.pages]
        if doc.pages
        else [(home, doc.title, True)]
    )
    for url, title, is_home in titles:
        parts = [clean_name(p) for p in _TITLE_SPLIT.split(title or "") if p.strip()]
        for part in parts:
            if part and not is_generic(part) and len(part.split()) <= 6:
                raw = (0.6 if len(parts) > 1 else 0.55) if is_home else 0.5
                found.append(Fact(part, raw, "page title part" if is_home else "subpage title part", url))
    if not found:
        return None
    groups: dict[str, list[Fact]] = {}
    for fact in found:
        groups.setdefault(norm_name(fact.value), []).append(fact)

    def score(facts: list[Fact]) -> float:
        best = max(f.confidence for f in facts)
        kinds = {f.source for f in facts}
        bonus = 0.05 * (len(kinds) - 1) + (0.08 if _matches_domain(facts[0].value, doc.domain) else 0.0)
        return min(0.99, best + bonus)

    key, facts = max(groups.items(), key=lambda kv: (score(kv[1]), len(kv[1])))
    rivals = [score(f) for k, f in groups.items() if k != key and not (k in key or key in k)]
    conf = score(facts) - (0.1 if rivals and max(rivals) >= score(facts) - 0.05 else 0.0)
    top = max(facts, key=lambda f: f.confidence)
    return Fact(top.value, round(conf, 3), " + ".join(dict.fromkeys(f.source for f in facts)), top.url)


def hq(doc: SiteDoc) -> Fact | None:
    for org in doc.organizations():
        address = org.get("address")
        if isinstance(address, list) and address:
            address = address[0]
        if isinstance(address, dict):
            city, region = address.get("addressLocality"), address.get("addressRegion")
            if isinstance(city, str) and isinstance(region, str) and city.strip() and region.strip():
                return Fact(
                    f"{city.strip()}, {region.strip()}",
                    0.92,
                    "schema.org PostalAddress",
                    org.get("_page", doc.final_url),
                )
    for url, _kind, text in doc.page_texts():
        match = _HQ_TEXT.search(text)
        if match and match.group(2) in US_STATES:
            return Fact(f"{match.group(1).strip()}, {match.group(2)}", 0.85, "'headquartered in' sentence", url)
    ordered = sorted(doc.page_texts(), key=lambda p: p[1] != "contact")  # the contact page's address first
    for url, kind, text in ordered:
        for match in _ADDRESS.finditer(text):
            city, state = match.group(1).strip(), match.group(2)
            if state in US_STATES and not is_generic(city) and city.split()[0] not in ("Suite", "Ste", "Unit"):
                return Fact(f"{city}, {state}", 0.85 if kind == "contact" else 0.75, "street address", url)
    return None


def phone(doc: SiteDoc) -> Fact | None:
    for org in doc.organizations():
        tel = org.get("telephone")
        if isinstance(tel, str) and _PHONE.search(tel):
            a, b, c = _PHONE.search(tel).groups()
            return Fact(f"({a}) {b}-{c}", 0.92, "schema.org telephone", org.get("_page", doc.final_url))
    for url, kind, text in sorted(doc.page_texts(), key=lambda p: p[1] != "contact"):
        match = _PHONE.search(text)
        if match:
            a, b, c = match.groups()
            return Fact(f"({a}) {b}-{c}", 0.85 if kind == "contact" else 0.7, "phone number", url)
    return None


def licences(doc: SiteDoc) -> list[Fact]:
    seen, out = set(), []
    for url, _kind, text in doc.page_texts():
        for match in _LICENCE.finditer(text):
            number = match.group(2)
            if number not in seen and sum(ch.isdigit() for ch in number) >= 4:
                seen.add(number)
                out.append(Fact(" ".join(match.group(1).split()), 0.8, "licence number", url))
    return out


def sentences(text: str) -> list[str]:
    """Split at line breaks and at . ! ? followed by a capital — but not after "St." or "Inc."."""
    out = []
    for line in text.split("\n"):
        start = 0
        for match in re.finditer(r"[.!?](?=\s+[\"“A-Z])", line):
            before = line[start : match.start()].rsplit(" ", 1)[-1]
            if before in _ABBREVIATIONS or (len(before) == 1 and before.isupper()):
                continue
            out.append(line[start : match.end()].strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def _places(tail: str) -> tuple[list[str], bool]:
    """The places a "serving …" clause names, and whether the list is whole: "Chicago and the northwest
    suburbs" gives ["Chicago"], incomplete — a partial area must not be asserted as the area."""
    # "… and beyond" / "and surrounding communities" names no further place: the list is still whole.
    tail = _AREA_ETC.sub("", tail.rstrip(" .!?"))
    filler = _AREA_FILLER.match(tail)
    pos, places, whole = (filler.end() if filler else 0), [], True
    while pos < len(tail):
        match = _PLACE.match(tail, pos)
        if not match:
            whole = not places  # a separator, then something that is not a place
            break
        place = re.sub(
            r"\s+(?:metro\s+area|metropolitan\s+area|area|metro|region|metroplex|valley)$", "", match.group(0)
        ).strip()
        if place.split()[0] in NOT_PLACES:
            whole = not places
            break
        places.append(re.sub(r"^greater\s+", "Greater ", place))
        pos = match.end()
        sep = _PLACE_SEP.match(tail, pos)
        if not sep or sep.end() == pos:
            break
        pos = sep.end()
        if tail[pos : pos + 4] == "the ":
            pos += 4
    return places, whole


def service_area(doc: SiteDoc) -> Fact | None:
    for org in doc.organizations():
        served = org.get("areaServed")
        names = []
        for item in served if isinstance(served, list) else [served]:
            if isinstance(item, str):
                names.append(item.strip())
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"].strip())
        names = [n for n in names if n]
        if names:
            return Fact(names[:10], 0.9, "schema.org areaServed", org.get("_page", doc.final_url))
    for url, _kind, text in doc.page_texts():
        for sentence in sentences(text):
            if "“" in sentence or "\u201c" in sentence:
                continue  # a client's words, not the company's claim
            for trigger in _AREA_TRIGGER.finditer(sentence):
                places, whole = _places(sentence[trigger.end() :])
                if places:
                    raw = (0.8 if len(places) > 1 else 0.75) if whole else 0.55
                    return Fact(
                        places[:10], raw, "'serving …' sentence" + ("" if whole else " (only partly places)"), url
                    )
    return None


def headcount(doc: SiteDoc) -> Fact | None:
    """The company's stated headcount. Several figures (a crew size, then the whole company) → the largest,
    less confidently."""
    found: list[tuple[int, str]] = []
    for url, _kind, text in doc.page_texts():
        for sentence in sentences(text):
            if "“" in sentence:
                continue
            for pattern in _HEADCOUNT:
                for match in pattern.finditer(sentence):
                    n = int(match.group(1).replace(",", ""))
                    if 2 <= n <= 500_000 and not re.search(r"\b(?:19|20)\d{2}\b", match.group(1)):
                        found.append((n, url))
    if not found:
        return None
    n, url = max(found)
    distinct = {value for value, _ in found}
    return Fact(n, 0.85 if len(distinct) == 1 else 0.7, "headcount stated on the site", url)


def revenue(doc: SiteDoc) -> Fact | None:
    for url, _kind, text in doc.page_texts():
        for sentence in sentences(text):
            if _NOT_REVENUE.search(sentence) or "“" in sentence:
                continue
            for pattern in _REVENUE:
                match = pattern.search(sentence)
                if match:
                    amount, unit = float(match.group(1)), match.group(2).lower()
                    factor = 1_000_000_000 if unit in ("billion", "bn", "b") else 1_000_000
                    return Fact(int(round(amount * factor)), 0.85, "annual revenue stated on the site", url)
    return None
