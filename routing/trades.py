"""The trade library (trades-data.ts TRADES[]): 34 construction trades in six takeoff families.

Written as data. Migration ``routing.0002`` loads it into TradeConfig, where RevOps edits it; the router reads
whatever library it is handed, and this module's ``LIBRARY`` is the default it falls back to.
Each row: the lander (``/{trade}`` → "{Label} OS"), the takeoff recipe (what Sarah extracts from the plans),
the value lever (why the trade buys) and the money flag (the change-order or lead-time gotcha).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .enums import TakeoffFamily

COUNT, AREA, LINEAR, VOLUME, WEIGHT, SYSTEMS = (
    TakeoffFamily.COUNT,
    TakeoffFamily.AREA,
    TakeoffFamily.LINEAR,
    TakeoffFamily.VOLUME,
    TakeoffFamily.WEIGHT,
    TakeoffFamily.SYSTEMS,
)


@dataclass(frozen=True)
class TradeSpec:
    trade: str
    label: str
    takeoff_family: str
    takeoff_recipe: tuple[str, ...]
    value_lever: str
    money_flag: str
    keywords: tuple[str, ...] = field(default=())  # words on a site that say "this is the trade"

    @property
    def lander(self) -> str:
        return f"/{self.trade.replace('_', '-')}"

    @property
    def lander_title(self) -> str:
        return f"{self.label} OS"


TRADES: tuple[TradeSpec, ...] = (
    # --- count: things Sarah counts off the plans and schedules -----------------------------------
    TradeSpec(
        "doors_hardware",
        "Doors & Hardware",
        COUNT,
        (
            "door schedule by type",
            "frame types and fire ratings",
            "hardware sets per opening",
            "access-control openings",
        ),
        "Price every opening from the door schedule in minutes instead of a day",
        "Hardware lead times of 8–14 weeks: a late set change is a change order, not a swap",
        ("doors", "door hardware", "hollow metal", "frames", "openings"),
    ),
    TradeSpec(
        "casework",
        "Casework & Millwork Cabinets",
        COUNT,
        ("cabinet units by elevation", "countertop runs", "shelving units", "laminate vs wood finish"),
        "Count every cabinet off the elevations so shop drawings start from the bid",
        "Finish selections made after award reprice the whole package",
        ("casework", "cabinets", "cabinetry", "countertops"),
    ),
    TradeSpec(
        "specialties",
        "Specialties",
        COUNT,
        ("toilet accessories", "toilet partitions", "lockers", "signage", "fire extinguisher cabinets"),
        "Catch the Division 10 items nobody else carries",
        "Owner-furnished vs contractor-installed confusion is the classic unpaid scope",
        ("toilet partitions", "toilet accessories", "lockers", "division 10", "specialties"),
    ),
    TradeSpec(
        "elevators",
        "Elevators",
        COUNT,
        ("cars and stops", "hoistway dimensions", "machine room vs MRL", "cab finishes"),
        "Bid the stops and the pit and overrun checks in one pass",
        "Equipment lead times of 20+ weeks and pit-depth conflicts with the structure",
        ("elevator", "elevators", "escalator", "lifts", "vertical transportation"),
    ),
    TradeSpec(
        "overhead_doors",
        "Overhead & Loading Dock Doors",
        COUNT,
        ("overhead door sizes", "operators", "dock levelers", "dock seals"),
        "Count every opening and dock position straight from the plans",
        "Opening sizes that change after the steel is ordered",
        ("overhead doors", "garage doors", "dock levelers", "rolling doors", "loading dock"),
    ),
    # --- area: square footage by assembly -------------------------------------------------------
    TradeSpec(
        "roofing",
        "Roofing",
        AREA,
        ("roof area by system", "insulation layers and taper", "flashing and edge metal", "penetrations"),
        "Measure every roof plane and the taper plan before the site walk",
        "Tapered insulation and edge metal missed at bid are the usual change orders",
        ("roofing", "roofer", "tpo", "epdm", "shingles", "metal roof"),
    ),
    TradeSpec(
        "waterproofing",
        "Waterproofing",
        AREA,
        ("below-grade membrane area", "deck coatings", "joint sealants", "air/vapor barrier"),
        "Quantify every membrane and barrier by wall type",
        "Air-barrier continuity details that appear only in the spec sections",
        ("waterproofing", "air barrier", "vapor barrier", "below grade", "sealants"),
    ),
    TradeSpec(
        "insulation",
        "Insulation",
        AREA,
        ("wall insulation by assembly", "roof insulation", "spray foam areas", "firestopping"),
        "Take off every assembly's R-value and area in one pass",
        "Energy-code upgrades after permit review reprice the job",
        ("insulation", "spray foam", "batt insulation", "firestopping"),
    ),
    TradeSpec(
        "drywall",
        "Drywall",
        AREA,
        ("board area by wall type", "ceiling board area", "finish level", "shaft walls"),
        "Square footage by wall type straight from the partition schedule",
        "Level 5 finishes and shaft-wall assemblies hidden in the details",
        ("drywall", "gypsum", "sheetrock", "interior walls", "acoustical walls"),
    ),
    TradeSpec(
        "acoustical_ceilings",
        "Acoustical Ceilings",
        AREA,
        ("ceiling area by tile type", "grid", "soffits and clouds", "seismic bracing"),
        "Ceiling area by type off the reflected ceiling plans",
        "Seismic bracing requirements added late in review",
        ("acoustical ceilings", "act", "ceiling tile", "suspended ceilings"),
    ),
    TradeSpec(
        "flooring",
        "Flooring",
        AREA,
        ("floor area by finish", "base linear feet", "transitions", "floor prep"),
        "Finish areas by room from the finish schedule",
        "Moisture mitigation and floor prep that nobody priced",
        ("flooring", "carpet", "lvt", "resilient", "epoxy floors"),
    ),
    TradeSpec(
        "tile",
        "Tile & Stone",
        AREA,
        ("tile area by type", "wall tile heights", "waterproof membranes", "trim pieces"),
        "Wet areas and wall tile heights measured per room",
        "Owner tile selections with long import lead times",
        ("tile", "stone", "porcelain", "terrazzo", "marble"),
    ),
    TradeSpec(
        "painting",
        "Painting & Coatings",
        AREA,
        ("wall paint area", "ceiling paint area", "door and frame counts", "special coatings"),
        "Paintable area by room and coating system",
        "Extra coats and color changes after award",
        ("painting", "painter", "coatings", "wallcovering"),
    ),
    TradeSpec(
        "glazing",
        "Glazing & Curtain Wall",
        AREA,
        ("curtain wall area", "storefront openings", "glass types", "sealant joints"),
        "Curtain wall and storefront by elevation, glass type by glass type",
        "Glass lead times of 12+ weeks and thermal performance substitutions",
        ("glazing", "curtain wall", "storefront", "windows", "glass"),
    ),
    TradeSpec(
        "masonry",
        "Masonry",
        AREA,
        ("CMU wall area", "brick veneer area", "reinforcing and grout", "lintels and openings"),
        "Wall area by unit type, openings deducted",
        "Grout and reinforcing schedules that double the labor",
        ("masonry", "brick", "cmu", "block", "stone veneer"),
    ),
    TradeSpec(
        "paving",
        "Paving & Asphalt",
        AREA,
        ("asphalt area by section", "concrete paving", "striping", "base course"),
        "Paving sections and striping off the civil plans",
        "Base-course thickness changes after the geotech report",
        ("paving", "asphalt", "sealcoating", "parking lots", "striping"),
    ),
    TradeSpec(
        "landscaping",
        "Landscaping",
        AREA,
        ("planting areas", "sod and seed", "plant counts", "irrigation zones"),
        "Planting and irrigation zones quantified from the landscape plan",
        "Plant substitutions and the warranty period nobody carried",
        ("landscaping", "landscape", "irrigation", "hardscape", "sod"),
    ),
    # --- linear: runs measured in feet ----------------------------------------------------------
    TradeSpec(
        "finish_carpentry",
        "Finish Carpentry & Millwork",
        LINEAR,
        ("base and casing", "chair rail and trim", "wood paneling", "custom millwork runs"),
        "Trim and millwork runs measured per room",
        "Architectural woodwork grades hidden in the spec",
        ("finish carpentry", "millwork", "trim carpentry", "woodwork"),
    ),
    TradeSpec(
        "wood_framing",
        "Wood Framing",
        LINEAR,
        ("wall plates and studs", "headers and beams", "sheathing", "trusses and joists"),
        "Framing lumber list built from the wall and floor plans",
        "Lumber price swings between bid and buyout",
        ("framing", "framer", "rough carpentry", "wood framing", "trusses"),
    ),
    TradeSpec(
        "metal_framing",
        "Metal Stud Framing",
        LINEAR,
        ("stud runs by gauge", "track", "headers and backing", "deflection heads"),
        "Stud footage by gauge and height from the partition types",
        "Gauge upgrades for tall walls found during submittals",
        ("metal studs", "light gauge", "metal framing", "cold-formed steel"),
    ),
    TradeSpec(
        "site_utilities",
        "Site Utilities",
        LINEAR,
        ("storm pipe runs", "sanitary runs", "water lines", "structures and manholes"),
        "Pipe runs and structures straight off the utility plan",
        "Rock and unsuitable soils in the trench",
        ("site utilities", "underground utilities", "storm drain", "sewer", "water main"),
    ),
    TradeSpec(
        "fencing",
        "Fencing & Gates",
        LINEAR,
        ("fence runs by type", "gates", "posts", "footings"),
        "Fence runs and gates measured per type",
        "Steel post lead times and surveyed line changes",
        ("fencing", "fence", "gates", "railings"),
    ),
    # --- volume: cubic yards ----------------------------------------------------------------------
    TradeSpec(
        "concrete",
        "Concrete",
        VOLUME,
        ("footing and foundation volumes", "slab on grade volumes", "elevated decks", "formwork area"),
        "Cubic yards and formwork by element before the first RFI",
        "Pump, winter protection and mix-design changes",
        ("concrete", "foundations", "flatwork", "slabs", "tilt-up"),
    ),
    TradeSpec(
        "earthwork",
        "Earthwork & Grading",
        VOLUME,
        ("cut and fill volumes", "import/export", "subgrade prep", "erosion control"),
        "Cut and fill balance from the grading plan",
        "Unsuitable soils and haul-off quantities",
        ("earthwork", "excavation", "grading", "site work", "sitework"),
    ),
    TradeSpec(
        "demolition",
        "Demolition",
        VOLUME,
        ("demolition volumes by material", "selective demo areas", "haul-off loads", "abatement areas"),
        "Demo quantities and haul-off loads before the walk",
        "Hazardous materials found after the walls open",
        ("demolition", "demo", "abatement", "wrecking"),
    ),
    # --- weight: tons -----------------------------------------------------------------------------
    TradeSpec(
        "structural_steel",
        "Structural Steel",
        WEIGHT,
        ("member tonnage by shape", "connections", "deck area", "embeds"),
        "Tonnage by member from the framing plans",
        "Mill price escalation and connection design by the fabricator",
        ("structural steel", "steel erection", "steel fabrication", "steel"),
    ),
    TradeSpec(
        "misc_metals",
        "Miscellaneous Metals",
        WEIGHT,
        ("stairs and rails", "lintels", "embeds and plates", "ladders and grating"),
        "Misc metals tonnage and stair counts in one pass",
        "Rail and stair details that change with the code review",
        ("miscellaneous metals", "misc metals", "stairs", "railings", "ornamental metal"),
    ),
    TradeSpec(
        "rebar",
        "Reinforcing Steel",
        WEIGHT,
        ("bar tonnage by size", "mesh area", "dowels", "accessories"),
        "Rebar tonnage by element from the structural schedules",
        "Detailing changes after shop drawings are approved",
        ("rebar", "reinforcing steel", "post-tension", "reinforcing"),
    ),
    # --- systems: MEP counted as systems, fixtures and runs -----------------------------------------
    TradeSpec(
        "plumbing",
        "Plumbing",
        SYSTEMS,
        ("fixture counts", "piping runs by system", "water heaters", "gas piping"),
        "Fixture counts and pipe runs by system from the plumbing plans",
        "Fixture substitutions and long-lead water heaters",
        ("plumbing", "plumber", "piping", "fixtures", "backflow"),
    ),
    TradeSpec(
        "hvac",
        "HVAC & Mechanical",
        SYSTEMS,
        ("equipment schedule", "ductwork weight", "diffusers and grilles", "controls points"),
        "Equipment and duct tonnage from the mechanical schedules",
        "RTU and chiller lead times of 30+ weeks",
        ("hvac", "mechanical", "ductwork", "heating", "air conditioning"),
    ),
    TradeSpec(
        "electrical",
        "Electrical",
        SYSTEMS,
        ("device counts", "lighting fixtures", "panel and gear schedule", "feeder runs"),
        "Devices, fixtures and gear counted from the electrical sheets",
        "Switchgear lead times of 40+ weeks",
        ("electrical", "electrician", "lighting", "power distribution", "switchgear"),
    ),
    TradeSpec(
        "fire_sprinkler",
        "Fire Sprinklers",
        SYSTEMS,
        ("heads by type", "main and branch piping", "risers", "fire pump"),
        "Heads and piping by hazard class",
        "Hydraulic calcs that demand a fire pump after bid",
        ("fire sprinkler", "fire protection", "sprinklers", "fire suppression"),
    ),
    TradeSpec(
        "fire_alarm",
        "Fire Alarm",
        SYSTEMS,
        ("initiating devices", "notification devices", "panels", "wiring runs"),
        "Devices counted from the fire alarm plans",
        "AHJ comments that add devices after approval",
        ("fire alarm", "life safety", "notification", "detection"),
    ),
    TradeSpec(
        "low_voltage",
        "Low Voltage & Data",
        SYSTEMS,
        ("data drops", "cable tray", "security devices", "AV systems"),
        "Drops and devices counted from the technology plans",
        "Owner-vendor scope overlaps that nobody prices",
        ("low voltage", "structured cabling", "data cabling", "security systems", "audio visual"),
    ),
)

LIBRARY: dict[str, TradeSpec] = {spec.trade: spec for spec in TRADES}
assert len(LIBRARY) == 34, "the trade library has 34 trades"
