"""Plant batch endpoints, v1 and v2: plantings, splits, counts, places, growth phase, reads.

Each write row names its body schema here; the kit turns every object into the command of
`domain/services/plant_batches.py` and `bulk` answers the ids in the order posted. Reads come
from `domain/queries/plant_batches.py`. The body parts plants share (waste, additives, naming
a row by id or by name) live here too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar, Self

from pydantic import AfterValidator, Field, model_validator

from leafledger.dialects.kit.bodies import WireBody
from leafledger.dialects.kit.factories import at_facility, bulk, listing, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import (
    BATCH_TYPES,
    PHASES,
    Licence,
    Name,
    Note,
    WireDate,
    WireId,
    WireInt,
    WireQuantity,
    choice,
)
from leafledger.domain import queries, reference
from leafledger.domain.queries.plant_batches import PlantBatchRow
from leafledger.domain.queries.plants import PlantWasteRow
from leafledger.domain.services import plant_batches as service
from leafledger.domain.services.additives import Ingredient

# --- body parts shared with plants ---------------------------------------------------------

# (field, field, the sentence naming both when neither is given)
Pairs = tuple[tuple[str, str, str], ...]


class Alternatives(MetrcBody):
    """A body some of whose fields stand in for one another: of each pair of `alternatives`
    one is required; its sentence names the two by their wire names ({0} and {1})."""

    alternatives: ClassVar[Pairs] = ()

    @model_validator(mode="after")
    def _one_of_each(self) -> Self:
        fields = type(self).model_fields
        for first, second, sentence in self.alternatives:
            if getattr(self, first) in (None, "") and getattr(self, second) in (None, ""):
                raise ValueError(sentence.format(fields[first].alias, fields[second].alias))
        return self


class DestructionWaste(MetrcBody):
    """The waste a destruction leaves, as plant and plant batch destructions send it."""

    method: str | None = Field(None, alias="WasteMethodName")
    material_mixed: str | None = Field(None, alias="WasteMaterialMixed")
    weight: WireQuantity | None = Field(None, alias="WasteWeight")
    unit: str | None = Field(None, alias="WasteUnitOfMeasureName")
    reason: str | None = Field(None, alias="WasteReasonName")
    note: Note | None = Field(None, alias="ReasonNote")
    actual_date: WireDate | None = None


class WasteRecordFields(MetrcBody):
    """A waste record of plants or of a batch, without a destruction."""

    method: str = Field(alias="WasteMethodName")
    material_mixed: str | None = Field(None, alias="MixedMaterial")
    weight: WireQuantity = Field(alias="WasteWeight")
    unit: str = Field(alias="UnitOfMeasureName")
    reason: str | None = Field(None, alias="ReasonName")
    note: Note | None = None
    waste_date: WireDate | None = None


def _as_command(body: WireBody) -> Any:
    """A nested body as the domain value its schema names, so that commands hold no wire
    objects (the kit makes commands of top-level bodies only)."""
    return body.to_command({})


class IngredientBody(MetrcBody):
    command = Ingredient
    name: Name
    percentage: WireQuantity | None = None


class AdditiveFields(MetrcBody):
    """What was applied, as every additive endpoint sends it."""

    additive_type: str | None = None
    product_trade_name: str | None = None
    epa_registration_number: str | None = None
    product_supplier: str | None = None
    application_device: str | None = None
    total_amount_applied: WireQuantity | None = None
    total_amount_unit_of_measure: str | None = None
    active_ingredients: list[Annotated[IngredientBody, AfterValidator(_as_command)]] | None = None
    rate: str | None = None
    volume: str | None = None
    actual_date: WireDate | None = None


class UsingTemplate(MetrcBody):
    """The template the "usingtemplate" endpoints apply."""

    template_name: Name = Field(alias="AdditivesTemplateName")


# --- bodies --------------------------------------------------------------------------------


class PlantingBody(MetrcBody):
    command = service.Planting
    name: Name
    batch_type: str = choice(BATCH_TYPES, alias="Type")
    count: WireInt
    strain: Name
    location: Name | None = None
    sublocation: Name | None = None
    patient_license_number: Licence | None = None
    planted_date: WireDate | None = Field(None, alias="ActualDate")


class SplitBody(MetrcBody):
    command = service.Split
    batch: Name = Field(alias="PlantBatch")
    group_name: Name
    count: WireInt
    location: Name | None = None
    sublocation: Name | None = None
    strain: Name | None = None
    patient_license_number: Licence | None = None
    actual_date: WireDate | None = None


class AdjustBody(MetrcBody):
    command = service.Adjustment
    batch_name: Name = Field(alias="PlantBatchName")
    quantity: WireInt
    reason: str = Field(alias="AdjustmentReason")
    note: Note | None = Field(None, alias="ReasonNote")
    actual_date: WireDate | None = Field(None, alias="AdjustmentDate")


class DestroyBody(DestructionWaste):
    command = service.BatchDestruction
    batch_name: Name = Field(alias="PlantBatch")
    count: WireInt
    unit: str | None = Field(None, alias="WasteUnitOfMeasure")


class WasteBody(WasteRecordFields):
    command = service.BatchWasteRecord
    batch_name: Name = Field(alias="PlantBatchName")


class MoveBody(MetrcBody):
    command = service.BatchMove
    batch_name: Name = Field(alias="Name")
    location: Name
    sublocation: Name | None = None
    move_date: WireDate | None = None


class BatchNamed(Alternatives):
    """A batch named by Id or, failing that, by name (each schema says by which wire name)."""

    alternatives: ClassVar[Pairs] = (
        ("batch_id", "name", "Name the plant batch by {0} or by {1}."),
    )
    batch_id: WireId | None = Field(None, alias="Id")
    name: Name | None = None


class RenameBody(BatchNamed):
    command = service.BatchRename
    name: Name | None = Field(None, alias="Group")
    new_name: Name = Field(alias="NewGroup")


class StrainBody(BatchNamed):
    command = service.BatchStrainChange
    strain_id: WireId | None = None
    strain_name: Name | None = None


class GrowthPhaseBody(MetrcBody):
    command = service.GrowthPhaseChange
    batch: Name = Field(alias="Name")
    count: WireInt
    starting_tag: str
    growth_phase: str = choice(PHASES)
    location: Name | None = Field(None, alias="NewLocation")
    sublocation: Name | None = Field(None, alias="NewSublocation")
    growth_date: WireDate | None = None
    patient_license_number: Licence | None = None


class AdditiveBody(AdditiveFields):
    command = service.BatchAdditive
    batch_name: Name = Field(alias="PlantBatchName")


class TemplateAdditiveBody(AdditiveBody, UsingTemplate):
    """The batch's additive, completed from a template."""


# --- rendering -----------------------------------------------------------------------------

BATCH_TYPE_IDS = {t.name: t.id for t in reference.PLANT_BATCH_TYPES}


def wire_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


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


def render_waste(item: PlantWasteRow) -> dict[str, Any]:
    """A plant waste record, in the plant and the plant batch waste lists alike."""
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


# --- handlers ------------------------------------------------------------------------------

BATCH = ById(PlantBatchRow, "plant batch")

get = show(render)
active = listing(at_facility(queries.plant_batches.batches, active=True), render)
inactive = listing(at_facility(queries.plant_batches.batches, active=False), render)
waste_list = listing(at_facility(queries.plant_batches.waste), render_waste)

plantings = bulk(service.plant, prepare=service.read_names_ahead)
split = bulk(service.split)
adjust = bulk(service.adjust)
destroy = bulk(service.destroy)
waste = bulk(service.record_waste)
move = bulk(service.move)
rename = bulk(service.rename)
strain = bulk(service.change_strain)
growth_phase = bulk(service.change_growth_phase)
additives = bulk(service.add_additive)
