"""Static reference data shared by the simulator and the dbt seeds.

`seeds/regions.csv` and `seeds/termination_causes.csv` are written from these tuples
(`python -m extract.simulator --write-seeds`), and a test checks they have not drifted.
"""

from __future__ import annotations

REGIONS: tuple[tuple[str, str, str], ...] = (
    ("BE", "Berlin", "DE"),
    ("BY", "Bavaria", "DE"),
    ("HH", "Hamburg", "DE"),
    ("NW", "North Rhine-Westphalia", "DE"),
    ("SN", "Saxony", "DE"),
    ("BW", "Baden-Wuerttemberg", "DE"),
)
REGION_HEADER = ("region_code", "region_name", "country_code")

# (code, description, is_dropped, relative frequency)
TERMINATION_CAUSES: tuple[tuple[str, str, bool, int], ...] = (
    ("normal", "Normal call clearing", False, 880),
    ("busy", "Called party busy", False, 40),
    ("no_answer", "No answer from called party", False, 40),
    ("network_failure", "Network failure", True, 20),
    ("radio_link_lost", "Radio link lost", True, 20),
)
TERMINATION_CAUSE_HEADER = ("termination_cause", "description", "is_dropped")

CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "BE"),
    ("Munich", "BY"),
    ("Hamburg", "HH"),
    ("Cologne", "NW"),
    ("Dresden", "SN"),
    ("Stuttgart", "BW"),
    ("Leipzig", "SN"),
    ("Nuremberg", "BY"),
)
FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas")
LAST_NAMES = ("Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch")
SEGMENTS = ("consumer", "business", "vip")
PRODUCT_CATEGORIES = ("phones", "accessories", "tablets", "wearables", "routers")
PLAN_NAMES = ("Basic", "Smart", "Plus", "Unlimited", "Business", "Travel", "Family", "Student")


def seed_rows() -> dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """The dbt seed files' headers and rows, as the CSV text they hold."""
    return {
        "regions": (REGION_HEADER, [tuple(region) for region in REGIONS]),
        "termination_causes": (
            TERMINATION_CAUSE_HEADER,
            [
                (code, description, "true" if is_dropped else "false")
                for code, description, is_dropped, _ in TERMINATION_CAUSES
            ],
        ),
    }
