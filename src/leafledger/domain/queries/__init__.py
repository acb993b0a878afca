"""The read side of the ledger: list statements and read models both dialects share.

One module per aggregate; `base.py` holds what they are built from.
"""

from leafledger.domain.queries import (
    additives,
    employees,
    facilities,
    harvests,
    items,
    locations,
    packages,
    patients,
    plant_batches,
    plants,
    strains,
    tags,
    transporters,
)

__all__ = [
    "additives",
    "employees",
    "facilities",
    "harvests",
    "items",
    "locations",
    "packages",
    "patients",
    "plant_batches",
    "plants",
    "strains",
    "tags",
    "transporters",
]
