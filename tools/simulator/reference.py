"""Static reference data of both sources, and the dbt seeds derived from it.

`seeds/regions.csv` and `seeds/termination_causes.csv` are written from these tuples
(`python -m tools.simulator --write-seeds seeds`), and a test fails if they drift: the
simulator may only emit region codes and termination causes the warehouse can look up.
"""

from __future__ import annotations

from typing import NamedTuple


class Region(NamedTuple):
    code: str
    name: str
    country_code: str
    latitude: float  # rough centre, for plausible cell coordinates
    longitude: float


class TerminationCause(NamedTuple):
    code: str
    description: str
    is_dropped: bool
    connected: bool  # False: the call never connected, so a voice call lasts 0 s
    weight: int  # relative frequency among voice calls


REGIONS: tuple[Region, ...] = (
    Region("BE", "Berlin", "DE", 52.52, 13.40),
    Region("BY", "Bavaria", "DE", 48.79, 11.50),
    Region("HH", "Hamburg", "DE", 53.55, 9.99),
    Region("NW", "North Rhine-Westphalia", "DE", 51.43, 7.66),
    Region("SN", "Saxony", "DE", 51.10, 13.20),
    Region("BW", "Baden-Wuerttemberg", "DE", 48.66, 9.35),
)

TERMINATION_CAUSES: tuple[TerminationCause, ...] = (
    TerminationCause("normal", "Normal call clearing", False, True, 880),
    TerminationCause("busy", "Called party busy", False, False, 40),
    TerminationCause("no_answer", "No answer from called party", False, False, 40),
    TerminationCause("network_failure", "Network failure", True, True, 20),
    TerminationCause("radio_link_lost", "Radio link lost", True, True, 20),
)

# (city, country_code)
CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("Hamburg", "DE"),
    ("Cologne", "DE"),
    ("Dresden", "DE"),
    ("Stuttgart", "DE"),
    ("Leipzig", "DE"),
    ("Nuremberg", "DE"),
    ("Vienna", "AT"),
    ("Zurich", "CH"),
)
FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas")
LAST_NAMES = ("Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Mueller")
SEGMENTS = ("consumer", "business", "vip")
SEGMENT_WEIGHTS = (80, 15, 5)
# (category, product names, price range in cents). Some names hold a comma, so the
# exports exercise CSV quoting as the contract allows.
PRODUCT_CATEGORIES: tuple[tuple[str, tuple[str, ...], tuple[int, int]], ...] = (
    ("phones", ("Smartphone", "Phone, refurbished", "Feature phone"), (4_900, 139_900)),
    ("accessories", ("Charger, 65W", "USB-C cable", "Phone case", "Headphones"), (499, 24_900)),
    ("tablets", ("Tablet", "Tablet, kids edition"), (9_900, 119_900)),
    ("wearables", ("Smartwatch", "Fitness band"), (2_900, 79_900)),
    ("routers", ("LTE router", "5G router", "Mesh node"), (3_900, 49_900)),
)
PLAN_NAMES = ("Basic", "Smart", "Plus", "Unlimited", "Business", "Travel", "Family", "Student")

SEED_FILES: dict[str, tuple[str, ...]] = {
    "regions": ("region_code", "region_name", "country_code"),
    "termination_causes": ("termination_cause", "description", "is_dropped"),
}


def seed_rows() -> dict[str, list[tuple[str, ...]]]:
    """Each seed file's data rows, as the CSV text they hold (header in SEED_FILES)."""
    return {
        "regions": [(r.code, r.name, r.country_code) for r in REGIONS],
        "termination_causes": [
            (c.code, c.description, "true" if c.is_dropped else "false") for c in TERMINATION_CAUSES
        ],
    }
