"""Strains, v1 and v2: create, update, archive, fetch by id, list active and inactive.

v2 writes answer the ids touched in order; v1 writes an empty 200 (the dialect decides). The rules
(unique active names, percentages, testing statuses) live in `domain/services/strains.py`, the
lists in `domain/queries/strains.py`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import Name, WireId, WireQuantity
from leafledger.domain import queries
from leafledger.domain.models import Strain
from leafledger.domain.queries.strains import StrainRow
from leafledger.domain.services import strains as service

# --- bodies


class _StrainFields(MetrcBody):
    name: Name | None = None
    testing_status: str | None = None
    thc_level: WireQuantity | None = None
    cbd_level: WireQuantity | None = None
    indica_percentage: WireQuantity | None = None
    sativa_percentage: WireQuantity | None = None


class StrainBody(_StrainFields):
    command = service.StrainFields


class StrainChangeBody(_StrainFields):
    command = service.StrainChange
    strain: Annotated[WireId, Loads(Strain, "strain")] = Field(alias="Id")


# --- rendering


def render(strain: StrainRow) -> dict[str, Any]:
    return {
        "Id": strain.id,
        "Name": strain.name,
        "TestingStatus": strain.testing_status,
        "ThcLevel": strain.thc_level,
        "CbdLevel": strain.cbd_level,
        "IndicaPercentage": strain.indica_percentage,
        "SativaPercentage": strain.sativa_percentage,
        "IsUsed": strain.is_used,
        "Genetics": strain.genetics,
    }


# --- handlers

STRAIN = ById(StrainRow, "strain")
STRAIN_TO_ARCHIVE = ById(Strain, "strain")

create = bulk(service.create_strain)
update = bulk(service.update_strain)
archive = remove(service.archive_strain)
get = show(render)
active = listing(at_facility(queries.strains.strains, active=True), render)
inactive = listing(at_facility(queries.strains.strains, active=False), render)
