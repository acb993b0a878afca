"""GET /facilities/v1 and /v2: the facilities the calling user is employed at.

Both versions answer a bare array. An item merges the facility (name, licence, capability flags)
with the caller's employment there (hire date, owner and manager flags); the employments come
from domain/queries/facilities.py with their facility and user.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import listing
from leafledger.domain import queries
from leafledger.domain.models import Employee, Facility
from leafledger.domain.queries.base import Listed

# FacilityType entries that are settings (a number, or null when unset) rather than yes/no flags.
FACILITY_TYPE_SETTINGS = frozenset(
    {
        "RestrictHarvestPlantRestoreTimeHours",
        "TotalMemberPatientsAllowed",
        "RestrictWholesalePriceEditDays",
        "RestrictPlantBatchAdjustmentTimeHours",
    }
)

# The FacilityType keys of a v2 answer, in wire order. A flag the facility does not carry is
# false; a flag it carries that is not listed here is not sent.
FACILITY_TYPE_KEYS: tuple[str, ...] = (
    "IsMedical",
    "IsRetail",
    "IsHemp",
    "RestrictHarvestPlantRestoreTimeHours",
    "TotalMemberPatientsAllowed",
    "RestrictWholesalePriceEditDays",
    "RestrictPlantBatchAdjustmentTimeHours",
    "CanGrowPlants",
    "CanCreateOpeningBalancePlantBatches",
    "CanClonePlantBatches",
    "CanTagPlantBatches",
    "CanAssignLocationsToPlantBatches",
    "PlantsRequirePatientAffiliation",
    "PlantBatchesCanContainMotherPlants",
    "CanUpdatePlantStrains",
    "CanTrackVegetativePlants",
    "CanCreateImmaturePlantPackagesFromPlants",
    "CanPackageVegetativePlants",
    "CanPackageWaste",
    "CanReportHarvestSchedules",
    "CanSubmitHarvestsForTesting",
    "CanRequireHarvestSampleLabTestBatches",
    "CanReportStrainProperties",
    "CanCreateOpeningBalancePackages",
    "CanCreateDerivedPackages",
    "CanAssignLocationsToPackages",
    "CanUpdateLocationsOnPackages",
    "PackagesRequirePatientAffiliation",
    "CanCreateTradeSamplePackages",
    "CanDonatePackages",
    "CanSubmitPackagesForTesting",
    "CanCreateProcessValidationPackages",
    "CanRequirePackageSampleLabTestBatches",
    "CanReturnPackageQuantity",
    "CanRequestProductRemediation",
    "CanRemediatePackagesWithFailedLabResults",
    "CanRequestProductDecontamination",
    "CanDecontaminatePackagesWithFailedLabResults",
    "CanInfuseProducts",
    "CanRecordProcessingJobs",
    "CanRecordProductForDestruction",
    "CanDestroyProduct",
    "CanTestPackages",
    "TestsRequireLabSample",
    "CanTransferFromExternalFacilities",
    "CanSellToConsumers",
    "CanSellToPatients",
    "CanSellToExternalPatients",
    "CanSellToCaregivers",
    "RetailSalesToNonResidentConsumer",
    "AdvancedSales",
    "SalesRequirePatientNumber",
    "SalesRequireExternalPatientNumber",
    "SalesRequireExternalPatientIdentificationMethod",
    "SalesRequireCaregiverNumber",
    "SalesRequireCaregiverPatientNumber",
    "CanDeliverSalesToConsumers",
    "DeliverySalesToNonResidentConsumer",
    "SalesDeliveryAllowPlannedRoute",
    "SalesDeliveryAllowAddress",
    "SalesDeliveryAllowCity",
    "SalesDeliveryAllowState",
    "SalesDeliveryAllowCounty",
    "SalesDeliveryAllowZip",
    "SalesDeliveryRequireZone",
    "EnableExternalIdentifier",
    "SalesDeliveryRequireConsumerId",
    "CanDeliverSalesToPatients",
    "SalesDeliveryRequirePatientNumber",
    "SalesDeliveryRequireRecipientName",
    "IsSalesDeliveryHub",
    "CanHaveMemberPatients",
    "CanReportPatientCheckIns",
    "CanSpecifyPatientSalesLimitExemption",
    "CanReportPatientsAdverseResponses",
    "RetailerDelivery",
    "RetailerDeliveryAllowTradeSamples",
    "RetailerDeliveryAllowDonations",
    "RetailerDeliveryRequirePrice",
    "RetailerDeliveryAllowPartialPackages",
    "CanCreatePartialPackages",
    "CanAdjustSourcePackagesWithPartials",
    "CanReportOperationalExceptions",
    "CanReportAdulteration",
    "CanDownloadProductLabel",
    "CanReceiveAssociateProductLabel",
    "CanUseComplianceLabel",
    "CanTrackFinishedGoods",
    "CanOnlyReceiveFinishedGoods",
    "CanViewSourcePackages",
    "EnableSublocations",
    "TaxExemptReportingFeesFacilityType",
    "TaxExemptTagOrdersFacilityType",
    "CanAccessCatalog",
    "CanTrackMotherPlantsAsGrowthPhase",
    "CanManageItemBrands",
)

# What the v1 answer lacks compared with v2: two FacilityType flags and two top-level settings.
V1_MISSING_FLAGS = frozenset({"CanTrackFinishedGoods", "CanOnlyReceiveFinishedGoods"})
V1_FACILITY_TYPE_KEYS = tuple(k for k in FACILITY_TYPE_KEYS if k not in V1_MISSING_FLAGS)
V2_ONLY_SETTINGS = ("AllowTransferOfOnHoldPackages", "AllowTransferOfOnRecallPackages")


def facility_type(facility: Facility, keys: tuple[str, ...]) -> dict[str, Any]:
    capabilities = facility.capabilities
    return {
        key: capabilities.get(key)
        if key in FACILITY_TYPE_SETTINGS
        else bool(capabilities.get(key, False))
        for key in keys
    }


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def render(employee: Employee, *, version: str) -> dict[str, Any]:
    """One facility as the employee sees it."""
    facility = employee.facility
    display = facility.alias or facility.name
    item: dict[str, Any] = {
        "FacilityId": facility.id,
        "HireDate": _iso(employee.hire_date),
        "IsOwner": employee.is_owner,
        "IsManager": employee.is_manager,
        "IsFinancialContact": False,
        "Email": None,
        "Occupations": [],
        "Name": facility.name,
        "Alias": display,
        "DisplayName": display,
        "CredentialedDate": _iso(facility.credentialed_date),
        "SupportActivationDate": None,
        "SupportExpirationDate": None,
        "FacilityType": facility_type(
            facility, FACILITY_TYPE_KEYS if version == "v2" else V1_FACILITY_TYPE_KEYS
        ),
        "License": {
            "Number": facility.license_number,
            "EmployeeLicenseNumber": employee.user.employee_license_number,
            "StartDate": _iso(facility.license_start_date),
            "EndDate": _iso(facility.license_end_date),
            "LicenseType": facility.license_type,
        },
    }
    if version == "v2":
        for key in V2_ONLY_SETTINGS:
            item[key] = facility.capabilities.get(key)
    return item


def _employments(call: Call) -> Listed:
    return queries.facilities.employments(call.actor.user_id)


list_v1 = listing(_employments, partial(render, version="v1"))
list_v2 = listing(_employments, partial(render, version="v2"))
