"""Changes of existing packages (v1 and v2), and plantings taken from a package.

Each row names its body schema here; the kit turns every object into the command of
`domain/services/package_inventory.py` (or `plant_batches.py` for plantings), and `bulk`
answers the ids of the packages touched (the new batches' ids for plantings), in the order
posted. v1 twins take the same bodies: POST /packages/v1/adjust, /change/item,
/change/locations, PUT /change/note, POST /finish, /unfinish, /remediate,
/create/plantings.

Bodies name a package by `Label`, or `PackageLabel` where the examples do (note, external
id, treatments). PUT /packages/v2/adjust takes the body of POST: its Quantity is the final
quantity (see the service). PUT /packages/v2/pretreat has no example in any source we have
(v2 examples, the Postman collection, the documentation pages): its body is inferred from its
two siblings, remediate and decontaminate (PackageLabel, PretreatmentMethodName,
PretreatmentDate, PretreatmentSteps).
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from leafledger.dialects.kit.factories import bulk, remove
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_name
from leafledger.dialects.metrc.wire import (
    ExternalId,
    Licence,
    Name,
    Note,
    UnsetDate,
    WireDate,
    WireInt,
    WireQuantity,
)
from leafledger.domain.services import package_inventory as service
from leafledger.domain.services import plant_batches

# --- bodies ----------------------------------------------------------------------------------


class AdjustmentBody(MetrcBody):
    command = service.Adjustment
    label: str
    quantity: WireQuantity
    unit_of_measure: str
    reason: str = Field(alias="AdjustmentReason")
    adjustment_date: WireDate | None = None
    note: Note | None = Field(None, alias="ReasonNote")


class FinalQuantityBody(AdjustmentBody):
    command = service.FinalQuantity


class FinishBody(MetrcBody):
    command = service.PackageFinish
    label: str
    actual_date: WireDate | None = None


class LabelBody(MetrcBody):
    """A package named by label, for changes that need nothing else (unfinish, flags)."""

    command = service.PackageNamed
    label: str


class ItemChangeBody(MetrcBody):
    command = service.ItemChange
    label: str
    item: Name


class MoveBody(MetrcBody):
    command = service.PackageMove
    label: str
    location: Name
    sublocation: Name | None = None
    move_date: UnsetDate = None


class NoteBody(MetrcBody):
    command = service.NoteChange
    label: str = Field(alias="PackageLabel")
    note: Note | None = None


class ShelfLifeBody(MetrcBody):
    command = service.ShelfLifeChange
    label: str
    expiration_date: WireDate | None = None
    sell_by_date: WireDate | None = None
    use_by_date: WireDate | None = None


class ExternalIdBody(MetrcBody):
    command = service.ExternalIdChange
    label: str = Field(alias="PackageLabel")
    external_id: ExternalId | None = None


class LabTestsBody(MetrcBody):
    command = service.LabTestsRequired
    label: str
    lab_test_batches: list[Name] = Field(alias="RequiredLabTestBatches")


class _TreatmentBody(MetrcBody):
    """A treatment of a package; each kind spells its fields with its own word
    (RemediationMethodName, DecontaminationDate, PretreatmentSteps...)."""

    command = service.Treatment
    label: str = Field(alias="PackageLabel")
    method: Name
    treatment_date: WireDate | None = None
    steps: Note | None = None


def _spelled(word: str) -> ConfigDict:
    """Wire names of a treatment body's fields for one kind of treatment."""
    suffixes = {"method": "MethodName", "treatment_date": "Date", "steps": "Steps"}

    def alias(name: str) -> str:
        return word + suffixes[name] if name in suffixes else pascal_name(name)

    return ConfigDict(alias_generator=alias)


class RemediationBody(_TreatmentBody):
    model_config = _spelled("Remediation")


class DecontaminationBody(_TreatmentBody):
    model_config = _spelled("Decontamination")


class PretreatmentBody(_TreatmentBody):
    """Inferred (see the module docstring)."""

    model_config = _spelled("Pretreatment")


class PackagePlantingBody(MetrcBody):
    command = plant_batches.PlantingFromPackage
    package_label: str
    package_adjustment_amount: WireQuantity | None = None
    package_adjustment_unit: str | None = Field(None, alias="PackageAdjustmentUnitOfMeasureName")
    name: Name = Field(alias="PlantBatchName")
    batch_type: str = Field(alias="PlantBatchType")
    count: WireInt = Field(alias="PlantCount")
    location: Name | None = Field(None, alias="LocationName")
    sublocation: Name | None = Field(None, alias="SublocationName")
    strain: Name = Field(alias="StrainName")
    patient_license_number: Licence | None = None
    planted_date: WireDate | None = None
    unpackaged_date: WireDate | None = None


# --- handlers --------------------------------------------------------------------------------

adjust = bulk(service.adjust_package)
set_quantity = bulk(service.set_package_quantity)
finish = bulk(service.finish_package)
unfinish = bulk(service.unfinish_package)
change_item = bulk(service.change_item)
move = bulk(service.move_package)
change_note = bulk(service.change_note)
change_shelf_life = bulk(service.change_shelf_life)
change_external_id = bulk(service.change_external_id)
flag_donation = bulk(service.flag_donation)
unflag_donation = bulk(service.unflag_donation)
flag_trade_sample = bulk(service.flag_trade_sample)
unflag_trade_sample = bulk(service.unflag_trade_sample)
flag_finished_good = bulk(service.flag_finished_good)
unflag_finished_good = bulk(service.unflag_finished_good)
require_lab_tests = bulk(service.require_lab_tests)
remediate = bulk(service.remediate_package)
decontaminate = bulk(service.decontaminate_package)
pretreat = bulk(service.pretreat_package)
discontinue = remove(service.discontinue_package)
plantings = bulk(plant_batches.plant_from_package)
