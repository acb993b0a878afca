"""Harvest rows (v1 and v2), the plant rows that make harvests, and packages from harvests.

Bodies are read with the schemas below; the rules live in `domain/services/harvests.py` and
`domain/services/packages.py`. v2 objects carry the three investigation flags of the v2
examples; v1 objects are the same without them, as the v1 documentation shows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints
from sqlalchemy import Select, select

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject, parse_object
from leafledger.dialects.metrc.factories import bulk, by_id, delete, listing
from leafledger.dialects.metrc.render import session_of
from leafledger.dialects.metrc.results import Listing, legacy_listing
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Harvest, HarvestWaste, Location, Sublocation
from leafledger.domain.services import harvests as service
from leafledger.domain.services import packages as package_service


def _date_part(value: Any) -> Any:
    """Metrc sends dates as "2015-12-15" or "2019-05-29T00:00:00Z": keep the calendar date."""
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        return value[:10]
    return value


WireDate = Annotated[date | None, BeforeValidator(_date_part)]
# Texts kept on a record: no longer than their columns.
Licence = Annotated[str | None, StringConstraints(max_length=64)]
BatchNumber = Annotated[str | None, StringConstraints(max_length=100)]
Note = Annotated[str | None, StringConstraints(max_length=1000)]


# --- bodies ----------------------------------------------------------------------------------


class PlantCutBody(WireObject):
    plant: str | None = None
    weight: Decimal | None = None
    unit_of_weight: str | None = None
    drying_location: str | None = None
    drying_sublocation: str | None = None
    harvest_name: str | None = None
    patient_license_number: Licence = None
    actual_date: WireDate = None


class WasteBody(WireObject):
    id: int | None = None
    waste_type: str | None = None
    unit_of_weight: str | None = None
    waste_weight: Decimal | None = None
    actual_date: WireDate = None


class FinishBody(WireObject):
    id: int | None = None
    actual_date: WireDate = None


class UnfinishBody(WireObject):
    id: int | None = None


class MoveBody(WireObject):
    id: int | None = None
    harvest_name: str | None = None
    drying_location: str | None = None
    drying_sublocation: str | None = None
    actual_date: WireDate = None


class RenameBody(WireObject):
    id: int | None = None
    old_name: str | None = None
    new_name: str | None = None


class RestoreBody(WireObject):
    harvest_id: int | None = None
    plant_tags: list[str] | None = None


class IngredientBody(WireObject):
    harvest_id: int | None = None
    harvest_name: str | None = None
    weight: Decimal | None = None
    unit_of_weight: str | None = None


class HarvestPackageBody(WireObject):
    tag: str | None = None
    location: str | None = None
    sublocation: str | None = None
    item: str | None = None
    unit_of_weight: str | None = None
    patient_license_number: Licence = None
    note: Note = None
    is_production_batch: bool | None = None
    production_batch_number: BatchNumber = None
    is_trade_sample: bool | None = None
    is_donation: bool | None = None
    product_requires_remediation: bool | None = None
    actual_date: WireDate = None
    expiration_date: WireDate = None
    sell_by_date: WireDate = None
    use_by_date: WireDate = None
    ingredients: list[IngredientBody] | None = None


def _row(call: Call, obj: dict[str, Any]) -> int:
    """The index of `obj` in the body (the bulk factory reports errors by it)."""
    return next(i for i, o in enumerate(call.objects) if o is obj)


def _required(value: Any, field: str) -> Any:
    if value is None:
        raise RuleViolation(f"{field}: is required")
    return value


# --- rendering -------------------------------------------------------------------------------


def render_harvest_v1(harvest: Harvest) -> dict[str, Any]:
    session = session_of(harvest)
    location = session.get(Location, harvest.drying_location_id)
    sublocation = (
        session.get(Sublocation, harvest.drying_sublocation_id)
        if harvest.drying_sublocation_id is not None
        else None
    )
    strains = service.harvest_strains(session, harvest)
    return {
        "Id": harvest.id,
        "Name": harvest.name,
        "HarvestType": harvest.harvest_type,
        "SourceStrainCount": len(strains),
        "SourceStrainNames": ", ".join(s.name for s in strains) or None,
        "Strains": [{"Id": s.id, "Name": s.name} for s in strains],
        "DryingLocationId": harvest.drying_location_id,
        "DryingLocationName": None if location is None else location.name,
        "DryingSublocationId": 0 if sublocation is None else sublocation.id,
        "DryingSublocationName": None if sublocation is None else sublocation.name,
        "DryingLocationTypeName": None if location is None else location.location_type_name,
        "PatientLicenseNumber": harvest.patient_license_number,
        "CurrentWeight": harvest.current_weight,
        "TotalWasteWeight": harvest.total_waste_weight,
        "PlantCount": harvest.plant_count,
        "TotalWetWeight": harvest.total_wet_weight,
        "TotalRestoredWeight": harvest.total_restored_weight,
        "PackageCount": harvest.package_count,
        "TotalPackagedWeight": harvest.total_packaged_weight,
        "UnitOfWeightName": harvest.unit_of_weight_name,
        "LabTestingState": harvest.lab_testing_state,
        "LabTestingStateDate": None,
        "IsOnHold": harvest.is_on_hold,
        "HarvestStartDate": harvest.harvest_start_date.isoformat(),
        "FinishedDate": _iso(harvest.finished_date),
        "ArchivedDate": _iso(harvest.archived_date),
        "LastModified": harvest.last_modified.isoformat(),
    }


def render_harvest_v2(harvest: Harvest) -> dict[str, Any]:
    rendered = render_harvest_v1(harvest)
    out: dict[str, Any] = {}
    for key, value in rendered.items():
        out[key] = value
        if key == "IsOnHold":
            out["IsOnInvestigation"] = False
            out["IsOnInvestigationHold"] = False
            out["IsOnInvestigationRecall"] = False
    return out


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def render_waste(waste: HarvestWaste) -> dict[str, Any]:
    harvest = session_of(waste).get(Harvest, waste.harvest_id)
    return {
        "Id": waste.id,
        "WasteTypeName": waste.waste_type_name,
        "WasteWeight": waste.weight,
        "UnitOfWeightName": None if harvest is None else harvest.unit_of_weight_name,
        "ActualDate": waste.waste_date.isoformat(),
    }


# --- reads -----------------------------------------------------------------------------------


# Ids are 64-bit: a longer run of digits names nothing (and must not reach the database).
LARGEST_ID = 2**63 - 1


def owned(call: Call, model: type[Any], object_id: int, what: str) -> Any:
    """`load_by_id` for a path id, answering 404 for ids no 64-bit column can hold."""
    if object_id > LARGEST_ID:
        raise NotFound(f"No {what} {object_id} was found.")
    return load_by_id(call.session, model, object_id, call.facility, what)


def _load(call: Call, harvest_id: int) -> Harvest:
    loaded: Harvest = owned(call, Harvest, harvest_id, "harvest")
    return loaded


def _own(call: Call) -> Select[Harvest]:
    return select(Harvest).where(
        Harvest.facility_id == call.facility.id, Harvest.archived_date.is_(None)
    )


def _active(call: Call) -> Select[Harvest]:
    return _own(call).where(Harvest.finished_date.is_(None)).order_by(Harvest.id)


def _inactive(call: Call) -> Select[Harvest]:
    return _own(call).where(Harvest.finished_date.is_not(None)).order_by(Harvest.id)


def _onhold(call: Call) -> Select[Harvest]:
    return _own(call).where(Harvest.is_on_hold.is_(True)).order_by(Harvest.id)


MODIFIED = Harvest.last_modified
active_v2 = listing(_active, render_harvest_v2, modified=MODIFIED)
active_v1 = listing(_active, render_harvest_v1, modified=MODIFIED)
inactive_v2 = listing(_inactive, render_harvest_v2, modified=MODIFIED)
inactive_v1 = listing(_inactive, render_harvest_v1, modified=MODIFIED)
onhold_v2 = listing(_onhold, render_harvest_v2, modified=MODIFIED)
onhold_v1 = listing(_onhold, render_harvest_v1, modified=MODIFIED)
get_v2 = by_id(_load, render_harvest_v2)
get_v1 = by_id(_load, render_harvest_v1)


def waste_list(call: Call) -> Listing:
    raw = (call.query.get("harvestId") or "").strip()
    if not raw.isdigit() or len(raw) > 18:
        raise RuleViolation("harvestId (a harvest's Id) is required.")
    harvest = _load(call, int(raw))
    query = (
        select(HarvestWaste)
        .where(HarvestWaste.harvest_id == harvest.id, HarvestWaste.active.is_(True))
        .order_by(HarvestWaste.id)
    )
    return legacy_listing(query, render_waste)


# --- writes ----------------------------------------------------------------------------------


def _cut(call: Call, obj: dict[str, Any]) -> service.PlantCut:
    body = parse_object(PlantCutBody, obj, _row(call, obj))
    return service.PlantCut(
        plant=_required(body.plant, "Plant"),
        weight=_required(body.weight, "Weight"),
        unit_of_weight=_required(body.unit_of_weight, "UnitOfWeight"),
        drying_location=_required(body.drying_location, "DryingLocation"),
        drying_sublocation=body.drying_sublocation,
        harvest_name=body.harvest_name,
        patient_license_number=body.patient_license_number,
        actual_date=body.actual_date,
    )


def _harvest_one(call: Call, obj: dict[str, Any]) -> int:
    cut = _cut(call, obj)
    return service.harvest_plant(call.session, call.actor, call.facility, cut).id


def _manicure_one(call: Call, obj: dict[str, Any]) -> int:
    cut = _cut(call, obj)
    return service.harvest_plant(call.session, call.actor, call.facility, cut, manicure=True).id


harvest_plants = bulk(_harvest_one)
manicure_plants = bulk(_manicure_one)


def _waste(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(WasteBody, obj, _row(call, obj))
    harvest = service.harvest_by_id(call.session, call.facility, _required(body.id, "Id"))
    waste = service.record_waste(
        call.session,
        call.actor,
        call.facility,
        harvest,
        waste_type=_required(body.waste_type, "WasteType"),
        weight=_required(body.waste_weight, "WasteWeight"),
        unit_of_weight=_required(body.unit_of_weight, "UnitOfWeight"),
        actual_date=body.actual_date,
    )
    return waste.id


record_waste = bulk(_waste)


def _discontinue(call: Call, waste_id: int) -> int:
    waste: HarvestWaste = owned(call, HarvestWaste, waste_id, "harvest waste")
    return service.discontinue_waste(call.session, call.actor, waste).id


discontinue_waste = delete(_discontinue)


def _finish(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(FinishBody, obj, _row(call, obj))
    harvest = service.harvest_by_id(call.session, call.facility, _required(body.id, "Id"))
    return service.finish_harvest(
        call.session, call.actor, call.facility, harvest, body.actual_date
    ).id


def _unfinish(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(UnfinishBody, obj, _row(call, obj))
    harvest = service.harvest_by_id(call.session, call.facility, _required(body.id, "Id"))
    return service.unfinish_harvest(call.session, call.actor, harvest).id


def _move(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(MoveBody, obj, _row(call, obj))
    harvest = service.harvest_referred(call.session, call.facility, body.id, body.harvest_name)
    return service.move_harvest(
        call.session,
        call.actor,
        call.facility,
        harvest,
        drying_location=_required(body.drying_location, "DryingLocation"),
        drying_sublocation=body.drying_sublocation,
        actual_date=body.actual_date,
    ).id


def _rename(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(RenameBody, obj, _row(call, obj))
    harvest = service.harvest_referred(call.session, call.facility, body.id, body.old_name)
    return service.rename_harvest(
        call.session, call.actor, call.facility, harvest, _required(body.new_name, "NewName")
    ).id


def _restore(call: Call, obj: dict[str, Any]) -> int:
    body = parse_object(RestoreBody, obj, _row(call, obj))
    harvest = service.harvest_by_id(
        call.session, call.facility, _required(body.harvest_id, "HarvestId")
    )
    return service.restore_harvested_plants(
        call.session, call.actor, call.facility, harvest, _required(body.plant_tags, "PlantTags")
    ).id


finish = bulk(_finish)
unfinish = bulk(_unfinish)
move = bulk(_move)
rename = bulk(_rename)
restore_harvested_plants = bulk(_restore)


# --- packages from harvests ------------------------------------------------------------------


def _package(call: Call, obj: dict[str, Any], *, testing: bool) -> int:
    body = parse_object(HarvestPackageBody, obj, _row(call, obj))
    details = package_service.PackageDetails(
        tag=_required(body.tag, "Tag"),
        item=_required(body.item, "Item"),
        location=body.location,
        sublocation=body.sublocation,
        patient_license_number=body.patient_license_number,
        note=body.note,
        is_production_batch=bool(body.is_production_batch),
        production_batch_number=body.production_batch_number,
        is_trade_sample=bool(body.is_trade_sample),
        is_donation=bool(body.is_donation),
        product_requires_remediation=bool(body.product_requires_remediation),
        actual_date=body.actual_date,
        expiration_date=body.expiration_date,
        sell_by_date=body.sell_by_date,
        use_by_date=body.use_by_date,
    )
    ingredients = [
        package_service.Ingredient(
            weight=_required(i.weight, "Ingredients.Weight"),
            unit_of_weight=_required(i.unit_of_weight, "Ingredients.UnitOfWeight"),
            harvest_id=i.harvest_id,
            harvest_name=i.harvest_name,
        )
        for i in (body.ingredients or [])
    ]
    request = package_service.HarvestPackage(
        details=details,
        unit_of_weight=_required(body.unit_of_weight, "UnitOfWeight"),
        ingredients=ingredients,
        is_testing_sample=testing,
    )
    try:
        made = package_service.create_package_from_harvests(
            call.session, call.actor, call.facility, request
        )
    except NotFound as exc:
        raise RuleViolation(exc.message) from None
    return made.id


def _product_package(call: Call, obj: dict[str, Any]) -> int:
    return _package(call, obj, testing=False)


def _testing_package(call: Call, obj: dict[str, Any]) -> int:
    return _package(call, obj, testing=True)


create_packages = bulk(_product_package)
create_testing_packages = bulk(_testing_package)
