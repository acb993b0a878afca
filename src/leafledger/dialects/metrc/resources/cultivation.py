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

from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import listing
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.factories import bulk
from leafledger.dialects.metrc.resources.packages import render_package
from leafledger.dialects.metrc.resources.plant_batches import WireDate, parse
from leafledger.domain import queries
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.queries.base import Listed
from leafledger.domain.services import plant_groups
from leafledger.domain.services.plant_batch_tags import replace_batch_tag
from leafledger.domain.services.plant_batches import PlantingFromPlant, plant_from_plant

# --- plantings from a plant ------------------------------------------------------------------


class PlantingBody(WireObject):
    plant_label: str
    plant_batch_name: str
    plant_batch_type: str
    plant_count: int
    location_name: str | None = None
    sublocation_name: str | None = None
    strain_name: str | None = None
    patient_license_number: str | None = None
    actual_date: WireDate | None = None


def _planting(call: Call, obj: dict[str, Any]) -> int:
    body = parse(PlantingBody, obj)
    planting = PlantingFromPlant(
        plant_label=body.plant_label,
        name=body.plant_batch_name,
        batch_type=body.plant_batch_type,
        count=body.plant_count,
        strain=body.strain_name,
        location=body.location_name,
        sublocation=body.sublocation_name,
        patient_license_number=body.patient_license_number,
        planted_date=body.actual_date,
    )
    return plant_from_plant(call.session, call.actor, call.facility, planting).id


plantings = bulk(_planting)


# --- plant batch tags ------------------------------------------------------------------------


class BatchTagBody(WireObject):
    id: int | None = None
    group: str | None = None
    tag_id: int | None = None
    new_tag: str | None = None
    replace_date: WireDate | None = None


def _batch_tag(call: Call, obj: dict[str, Any]) -> int:
    body = parse(BatchTagBody, obj)
    return replace_batch_tag(
        call.session,
        call.actor,
        call.facility,
        batch_id=body.id,
        name=body.group,
        new_tag=body.new_tag,
        tag_id=body.tag_id,
        replace_date=body.replace_date,
    ).id


batch_tag = bulk(_batch_tag)


# --- plant groups ----------------------------------------------------------------------------


class SplitBody(WireObject):
    source_plant_label: str
    plant_count: int
    tag_label: str
    strain_label: str | None = None
    split_date: WireDate | None = None


def _split(call: Call, obj: dict[str, Any]) -> int:
    body = parse(SplitBody, obj)
    order = plant_groups.PlantSplit(
        source_label=body.source_plant_label,
        count=body.plant_count,
        tag=body.tag_label,
        strain=body.strain_label,
        split_date=body.split_date,
    )
    return plant_groups.split(call.session, call.actor, call.facility, order).id


split = bulk(_split)


class MergeBody(WireObject):
    target_plant_group_label: str
    source_plant_group_label: str
    merge_date: WireDate | None = None


def _merge(call: Call, obj: dict[str, Any]) -> int:
    body = parse(MergeBody, obj)
    order = plant_groups.PlantMerge(
        target_label=body.target_plant_group_label,
        source_label=body.source_plant_group_label,
        merge_date=body.merge_date,
    )
    return plant_groups.merge(call.session, call.actor, call.facility, order).id


merge = bulk(_merge)


# --- packages of a plant waste record --------------------------------------------------------


PLANT_WASTE = ById(PlantWaste, "plant waste")


def _packages_of_waste(call: Call) -> Listed:
    """GET /plants/v2/waste/{id}/package: the row loads the waste record (404, or 401 for
    another facility's); its packages are none for now (see the module docstring)."""
    waste: PlantWaste = call.target
    return queries.packages.from_plant_waste(waste)


waste_packages = listing(_packages_of_waste, render_package)
