"""Plant batch endpoints, v1 and v2: plantings, splits, counts, places, growth phase, reads.

Reads go through `PlantBatchRow`, a read-only mapping of one joined query (batch, strain,
location, sublocation, source plant and package labels), so a page of batches is one SELECT
with no query per row. Writes parse each body object into a schema and hand it to
`domain/services/plant_batches.py`; `bulk` answers the ids in the order posted.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator
from sqlalchemy import Select, select
from sqlalchemy.orm import DeclarativeBase, Mapped

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject, parse_object
from leafledger.dialects.metrc.factories import bulk, by_id, listing
from leafledger.domain import reference
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Location, Package, Plant, PlantBatch, Strain, Sublocation
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.services import plant_batches as service
from leafledger.domain.services.plant_batches import GrowthPhaseChange, Planting, Split, Waste

# --- request values ------------------------------------------------------------------------


def _to_date(value: Any) -> Any:
    """Metrc dates come as "2015-12-15" or as a timestamp "2015-12-15T00:00:00Z": keep the day."""
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return value
    return value


WireDate = Annotated[date, BeforeValidator(_to_date)]


def wire_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# --- the read model ------------------------------------------------------------------------


class ReadModel(DeclarativeBase):
    """Read-only classes mapped over joined queries (kept out of the ledger's metadata)."""


_source_plant = select(Plant.id, Plant.label).subquery("source_plant")

_BATCH_ROWS = (
    select(
        PlantBatch.id,
        PlantBatch.facility_id,
        PlantBatch.name,
        PlantBatch.batch_type,
        PlantBatch.strain_id,
        Strain.name.label("strain_name"),
        PlantBatch.location_id,
        Location.name.label("location_name"),
        Location.location_type_name,
        PlantBatch.sublocation_id,
        Sublocation.name.label("sublocation_name"),
        PlantBatch.patient_license_number,
        PlantBatch.untracked_count,
        PlantBatch.tracked_count,
        PlantBatch.packaged_count,
        PlantBatch.destroyed_count,
        PlantBatch.source_package_id,
        Package.label.label("source_package_label"),
        PlantBatch.source_plant_id,
        _source_plant.c.label.label("source_plant_label"),
        PlantBatch.planted_date,
        PlantBatch.is_on_hold,
        PlantBatch.active,
        PlantBatch.last_modified,
    )
    .select_from(PlantBatch)
    .join(Strain, Strain.id == PlantBatch.strain_id)
    .outerjoin(Location, Location.id == PlantBatch.location_id)
    .outerjoin(Sublocation, Sublocation.id == PlantBatch.sublocation_id)
    .outerjoin(Package, Package.id == PlantBatch.source_package_id)
    .outerjoin(_source_plant, _source_plant.c.id == PlantBatch.source_plant_id)
    .subquery("plant_batch_rows")
)


class PlantBatchRow(ReadModel):
    __table__ = _BATCH_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    name: Mapped[str]
    batch_type: Mapped[str]
    strain_id: Mapped[int]
    strain_name: Mapped[str]
    location_id: Mapped[int | None]
    location_name: Mapped[str | None]
    location_type_name: Mapped[str | None]
    sublocation_id: Mapped[int | None]
    sublocation_name: Mapped[str | None]
    patient_license_number: Mapped[str | None]
    untracked_count: Mapped[int]
    tracked_count: Mapped[int]
    packaged_count: Mapped[int]
    destroyed_count: Mapped[int]
    source_package_id: Mapped[int | None]
    source_package_label: Mapped[str | None]
    source_plant_id: Mapped[int | None]
    source_plant_label: Mapped[str | None]
    planted_date: Mapped[date]
    is_on_hold: Mapped[bool]
    active: Mapped[bool]
    last_modified: Mapped[datetime]


BATCH_TYPE_IDS = {t.name: t.id for t in reference.PLANT_BATCH_TYPES}


def render(batch: PlantBatchRow) -> dict[str, Any]:
    return {
        "Id": batch.id,
        "Name": batch.name,
        "PlantBatchTypeId": BATCH_TYPE_IDS.get(batch.batch_type),
        "PlantBatchTypeName": batch.batch_type,
        "LocationId": batch.location_id,
        "LocationName": batch.location_name,
        "LocationTypeName": batch.location_type_name,
        "StrainId": batch.strain_id,
        "StrainName": batch.strain_name,
        "SublocationId": batch.sublocation_id,
        "SublocationName": batch.sublocation_name,
        "PatientLicenseNumber": batch.patient_license_number,
        "UntrackedCount": batch.untracked_count,
        "TrackedCount": batch.tracked_count,
        "PackagedCount": batch.packaged_count,
        "DestroyedCount": batch.destroyed_count,
        "SourcePackageId": batch.source_package_id,
        "SourcePackageLabel": batch.source_package_label,
        "SourcePlantId": batch.source_plant_id,
        "SourcePlantLabel": batch.source_plant_label,
        "SourcePlantBatchIds": [],
        "SourcePlantBatchNames": None,
        "MultiPlantBatch": False,
        "PlantedDate": batch.planted_date.isoformat(),
        "LastModified": batch.last_modified.isoformat(),
        "IsOnHold": batch.is_on_hold,
        "IsOnInvestigation": False,
        "IsOnInvestigationHold": False,
        "IsOnInvestigationRecall": False,
    }


def _batches(active: bool) -> Any:
    def source(call: Call) -> Select[PlantBatchRow]:
        return (
            select(PlantBatchRow)
            .where(
                PlantBatchRow.facility_id == call.facility.id,
                PlantBatchRow.active.is_(active),
            )
            .order_by(PlantBatchRow.id)
        )

    return source


active = listing(_batches(True), render, modified=PlantBatchRow.last_modified)
inactive = listing(_batches(False), render, modified=PlantBatchRow.last_modified)


def _load(call: Call, batch_id: int) -> PlantBatchRow:
    return load_by_id(call.session, PlantBatchRow, batch_id, call.facility, "plant batch")


get_one = by_id(_load, render)


# --- writes --------------------------------------------------------------------------------


class PlantingBody(WireObject):
    name: str
    type: str
    count: int
    strain: str
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    actual_date: WireDate | None = None


M = TypeVar("M", bound=WireObject)


def parse(model: type[M], obj: dict[str, Any]) -> M:
    """`obj` as a `model`; an error leaves the row to `bulk`, which knows the object's index."""
    try:
        return parse_object(model, obj, 0)
    except RuleViolation as exc:
        raise RuleViolation(exc.message) from None


def _plant(call: Call, obj: dict[str, Any]) -> PlantBatch:
    body = parse(PlantingBody, obj)
    planting = Planting(
        name=body.name,
        batch_type=body.type,
        count=body.count,
        strain=body.strain,
        location=body.location,
        sublocation=body.sublocation,
        patient_license_number=body.patient_license_number,
        planted_date=body.actual_date,
    )
    return service.plant(call.session, call.actor, call.facility, planting)


def _read_names_ahead(call: Call) -> None:
    names = (obj.get("Name") for obj in call.objects)
    service.read_names_ahead(call.session, call.facility, names)


plantings = bulk(_plant, prepare=_read_names_ahead)


class SplitBody(WireObject):
    plant_batch: str
    group_name: str
    count: int
    location: str | None = None
    sublocation: str | None = None
    strain: str | None = None
    patient_license_number: str | None = None
    actual_date: WireDate | None = None


def _split(call: Call, obj: dict[str, Any]) -> int:
    body = parse(SplitBody, obj)
    order = Split(
        batch=body.plant_batch,
        group_name=body.group_name,
        count=body.count,
        location=body.location,
        sublocation=body.sublocation,
        strain=body.strain,
        patient_license_number=body.patient_license_number,
        actual_date=body.actual_date,
    )
    return service.split(call.session, call.actor, call.facility, order).id


split = bulk(_split)


class AdjustBody(WireObject):
    plant_batch_name: str
    quantity: int
    adjustment_reason: str
    adjustment_date: WireDate | None = None
    reason_note: str | None = None


def _adjust(call: Call, obj: dict[str, Any]) -> int:
    body = parse(AdjustBody, obj)
    return service.adjust(
        call.session,
        call.actor,
        call.facility,
        batch_name=body.plant_batch_name,
        quantity=body.quantity,
        reason=body.adjustment_reason,
        note=body.reason_note,
        actual_date=body.adjustment_date,
    ).id


adjust = bulk(_adjust)


class DestroyBody(WireObject):
    plant_batch: str
    count: int
    waste_method_name: str | None = None
    waste_material_mixed: str | None = None
    waste_reason_name: str | None = None
    reason_note: str | None = None
    waste_weight: Decimal | None = None
    waste_unit_of_measure: str | None = None
    actual_date: WireDate | None = None


def _destroy(call: Call, obj: dict[str, Any]) -> int:
    body = parse(DestroyBody, obj)
    waste = Waste(
        method=body.waste_method_name,
        material_mixed=body.waste_material_mixed,
        reason=body.waste_reason_name,
        note=body.reason_note,
        weight=body.waste_weight,
        unit=body.waste_unit_of_measure,
    )
    return service.destroy(
        call.session,
        call.actor,
        call.facility,
        batch_name=body.plant_batch,
        count=body.count,
        waste=waste,
        actual_date=body.actual_date,
    ).id


destroy = bulk(_destroy)


class WasteRecordBody(WireObject):
    """The fields of a waste record, shared by plant batch and plant waste bodies."""

    waste_method_name: str
    mixed_material: str | None = None
    waste_weight: Decimal
    unit_of_measure_name: str
    reason_name: str | None = None
    note: str | None = None
    waste_date: WireDate | None = None

    def waste(self) -> Waste:
        return Waste(
            method=self.waste_method_name,
            material_mixed=self.mixed_material,
            reason=self.reason_name,
            note=self.note,
            weight=self.waste_weight,
            unit=self.unit_of_measure_name,
        )


class WasteBody(WasteRecordBody):
    plant_batch_name: str


def _waste(call: Call, obj: dict[str, Any]) -> int:
    body = parse(WasteBody, obj)
    return service.record_waste(
        call.session,
        call.actor,
        call.facility,
        batch_name=body.plant_batch_name,
        waste=body.waste(),
        waste_date=body.waste_date,
    ).id


waste = bulk(_waste)


class _WasteRow(ReadModel):
    __table__ = (
        select(
            PlantWaste.id,
            PlantWaste.facility_id,
            PlantWaste.waste_method_name,
            PlantWaste.weight,
            PlantWaste.unit_of_measure_name,
            PlantWaste.waste_reason_name,
            PlantWaste.plant_batch_id,
            PlantBatch.name.label("plant_batch_name"),
            PlantWaste.plant_count,
            PlantWaste.waste_date,
        )
        .join(PlantBatch, PlantBatch.id == PlantWaste.plant_batch_id)
        .subquery("plant_batch_waste_rows")
    )

    id: Mapped[int]
    facility_id: Mapped[int]
    waste_method_name: Mapped[str]
    weight: Mapped[Decimal]
    unit_of_measure_name: Mapped[str]
    waste_reason_name: Mapped[str | None]
    plant_batch_id: Mapped[int]
    plant_batch_name: Mapped[str]
    plant_count: Mapped[int]
    waste_date: Mapped[date]


def _render_waste_row(item: _WasteRow) -> dict[str, Any]:
    return {
        "PlantWasteNumber": str(item.id),
        "WasteMethodName": item.waste_method_name,
        "WasteWeight": item.weight,
        "WasteUnitOfMeasureName": item.unit_of_measure_name,
        "WasteReasonName": item.waste_reason_name,
        "PlantBatchId": item.plant_batch_id,
        "PlantBatchName": item.plant_batch_name,
        "PlantCount": item.plant_count,
        "WasteDate": item.waste_date.isoformat(),
    }


def _waste_rows(call: Call) -> Select[_WasteRow]:
    return select(_WasteRow).where(_WasteRow.facility_id == call.facility.id).order_by(_WasteRow.id)


waste_list = listing(_waste_rows, _render_waste_row)


class MoveBody(WireObject):
    name: str
    location: str
    sublocation: str | None = None
    move_date: WireDate | None = None


def _move(call: Call, obj: dict[str, Any]) -> int:
    body = parse(MoveBody, obj)
    return service.move(
        call.session,
        call.actor,
        call.facility,
        batch_name=body.name,
        location=body.location,
        sublocation=body.sublocation,
        move_date=body.move_date,
    ).id


move = bulk(_move)


class RenameBody(WireObject):
    id: int | None = None
    group: str | None = None
    new_group: str


def _rename(call: Call, obj: dict[str, Any]) -> int:
    body = parse(RenameBody, obj)
    return service.rename(
        call.session,
        call.actor,
        call.facility,
        batch_id=body.id,
        name=body.group,
        new_name=body.new_group,
    ).id


rename = bulk(_rename)


class StrainBody(WireObject):
    id: int | None = None
    name: str | None = None
    strain_id: int | None = None
    strain_name: str | None = None


def _strain(call: Call, obj: dict[str, Any]) -> int:
    body = parse(StrainBody, obj)
    return service.change_strain(
        call.session,
        call.actor,
        call.facility,
        batch_id=body.id,
        name=body.name,
        strain_id=body.strain_id,
        strain_name=body.strain_name,
    ).id


strain = bulk(_strain)


class GrowthPhaseBody(WireObject):
    name: str
    count: int
    starting_tag: str
    growth_phase: str
    new_location: str | None = None
    new_sublocation: str | None = None
    growth_date: WireDate | None = None
    patient_license_number: str | None = None


def _growth_phase(call: Call, obj: dict[str, Any]) -> int:
    body = parse(GrowthPhaseBody, obj)
    change = GrowthPhaseChange(
        batch=body.name,
        count=body.count,
        starting_tag=body.starting_tag,
        growth_phase=body.growth_phase,
        location=body.new_location,
        sublocation=body.new_sublocation,
        growth_date=body.growth_date,
        patient_license_number=body.patient_license_number,
    )
    plants = service.change_growth_phase(call.session, call.actor, call.facility, change)
    return plants[0].plant_batch_id


growth_phase = bulk(_growth_phase)


class IngredientBody(WireObject):
    name: str
    percentage: Decimal | None = None


class AdditiveBody(WireObject):
    additive_type: str | None = None
    product_trade_name: str | None = None
    epa_registration_number: str | None = None
    product_supplier: str | None = None
    application_device: str | None = None
    total_amount_applied: Decimal | None = None
    total_amount_unit_of_measure: str | None = None
    active_ingredients: list[IngredientBody] | None = None
    additives_template_name: str | None = None
    rate: str | None = None
    volume: str | None = None
    actual_date: WireDate | None = None

    def details(self) -> dict[str, Any]:
        """What was applied, as the ledger keeps it (JSON-safe)."""
        ingredients = None
        if self.active_ingredients is not None:
            ingredients = [
                {"name": i.name, "percentage": None if i.percentage is None else str(i.percentage)}
                for i in self.active_ingredients
            ]
        amount = self.total_amount_applied
        if amount is not None and (not amount.is_finite() or amount < 0):
            raise RuleViolation("TotalAmountApplied must be zero or more.")
        found = {
            "additive_type": self.additive_type,
            "product_trade_name": self.product_trade_name,
            "epa_registration_number": self.epa_registration_number,
            "product_supplier": self.product_supplier,
            "application_device": self.application_device,
            "total_amount_applied": None if amount is None else str(amount),
            "total_amount_unit_of_measure": self.total_amount_unit_of_measure,
            "active_ingredients": ingredients,
            "rate": self.rate,
            "volume": self.volume,
        }
        if self.additives_template_name is None:
            return found
        return {k: v for k, v in found.items() if v is not None}


class BatchAdditiveBody(AdditiveBody):
    plant_batch_name: str


def _additives(template: bool) -> Any:
    def apply(call: Call, obj: dict[str, Any]) -> int:
        body = parse(BatchAdditiveBody, obj)
        if template and not body.additives_template_name:
            raise RuleViolation("AdditivesTemplateName is required.")
        return service.add_additive(
            call.session,
            call.actor,
            call.facility,
            batch_name=body.plant_batch_name,
            template_name=body.additives_template_name if template else None,
            details=body.details(),
            actual_date=body.actual_date,
        ).id

    return bulk(apply)


additives = _additives(False)
additives_using_template = _additives(True)
