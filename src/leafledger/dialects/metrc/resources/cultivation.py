"""The last cultivation rows: plantings from a plant, plant batch tags, plant groups, and the
packages of a plant waste record.

- POST /plants/v2/plantings, POST /plants/v1/create/plantings: each object plants a new batch of
  seeds or clones taken from a tagged plant (services/plant_batches.py `plant_from_plant`);
  v2 answers the new batches' ids.
- PUT /plantbatches/v2/tag: a new plant tag on a batch named by Id or Group, the tag given as
  NewTag or TagId (services/plant_batch_tags.py); answers the batches' ids.
- PUT /plants/v2/split and PUT /plants/v2/merge: plant groups (services/plant_groups.py); split
  answers the ids of the new groups, merge the ids of the targets.
- GET /plants/v2/waste/{id}/package: the packages made from a plant waste record, rendered like
  every package. No endpoint makes packages from plant waste yet, so for an existing record of
  the facility the page is empty; a record of another facility answers 401, a missing one 404.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import bulk, listing
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources.packages import render_package
from leafledger.dialects.metrc.resources.plant_batches import BatchNamed, Pairs
from leafledger.dialects.metrc.wire import (
    BATCH_TYPES,
    Licence,
    Name,
    WireDate,
    WireId,
    WireInt,
    choice,
)
from leafledger.domain import queries
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.queries.base import Listed
from leafledger.domain.services import plant_batch_tags, plant_batches, plant_groups

# --- plantings from a plant ------------------------------------------------------------------


class PlantingBody(MetrcBody):
    command = plant_batches.PlantingFromPlant
    plant_label: str
    name: Name = Field(alias="PlantBatchName")
    batch_type: str = choice(BATCH_TYPES, alias="PlantBatchType")
    count: WireInt = Field(alias="PlantCount")
    location: Name | None = Field(None, alias="LocationName")
    sublocation: Name | None = Field(None, alias="SublocationName")
    strain: Name | None = Field(None, alias="StrainName")
    patient_license_number: Licence | None = None
    planted_date: WireDate | None = Field(None, alias="ActualDate")


plantings = bulk(plant_batches.plant_from_plant)


# --- plant batch tags ------------------------------------------------------------------------


class BatchTagBody(BatchNamed):
    command = plant_batch_tags.BatchTagReplacement
    alternatives: ClassVar[Pairs] = (
        *BatchNamed.alternatives,
        ("new_tag", "tag_id", "Give the new tag as {0} or {1}."),
    )
    name: Name | None = Field(None, alias="Group")
    tag_id: WireId | None = None
    new_tag: str | None = None
    replace_date: WireDate | None = None


batch_tag = bulk(plant_batch_tags.replace_batch_tag)


# --- plant groups ----------------------------------------------------------------------------


class SplitBody(MetrcBody):
    command = plant_groups.PlantSplit
    source_label: str = Field(alias="SourcePlantLabel")
    count: WireInt = Field(alias="PlantCount")
    tag: str = Field(alias="TagLabel")
    strain: Name | None = Field(None, alias="StrainLabel")
    split_date: WireDate | None = None


class MergeBody(MetrcBody):
    command = plant_groups.PlantMerge
    target_label: str = Field(alias="TargetPlantGroupLabel")
    source_label: str = Field(alias="SourcePlantGroupLabel")
    merge_date: WireDate | None = None


split = bulk(plant_groups.split)
merge = bulk(plant_groups.merge)


# --- packages of a plant waste record --------------------------------------------------------


PLANT_WASTE = ById(PlantWaste, "plant waste")


def _packages_of_waste(call: Call) -> Listed:
    """GET /plants/v2/waste/{id}/package: the row loads the waste record (404, or 401 for
    another facility's); its packages are none for now (see the module docstring)."""
    waste: PlantWaste = call.target
    return queries.packages.from_plant_waste(waste)


waste_packages = listing(_packages_of_waste, render_package)
