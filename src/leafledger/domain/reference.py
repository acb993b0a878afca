"""The fixed reference lists of the ledger: types, states, reasons, methods and categories.

These are data, not tables: the same for every facility, changed only by a release. Each list is
a tuple of frozen records (or of plain names where the list is only names), in the order the
Metrc dialect lists them. Names are what requests refer to (`"ItemCategory": "Buds"`,
`"ReasonName": "Drying"`); the `find_*` helpers look them up ignoring case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol, TypeVar

from leafledger.domain.units import QuantityType

# Metrc stamps built-in records with the smallest date when they have no real history.
NEVER_MODIFIED = datetime(1, 1, 1, tzinfo=UTC)
PLANT_BATCH_TYPES_DEFINED = datetime(2021, 11, 19, tzinfo=UTC)

WEIGHT, COUNT = QuantityType.WEIGHT, QuantityType.COUNT


class _Named(Protocol):
    @property
    def name(self) -> str: ...


_N = TypeVar("_N", bound=_Named)


def find_named(records: Iterable[_N], name: str) -> _N | None:
    """The record called `name` (case and surrounding spaces ignored), or None."""
    wanted = name.strip().casefold()
    return next((r for r in records if r.name.casefold() == wanted), None)


def find_name(names: Iterable[str], name: str) -> str | None:
    """The list's own spelling of `name` (case and surrounding spaces ignored), or None."""
    wanted = name.strip().casefold()
    return next((n for n in names if n.casefold() == wanted), None)


# --- Plain name lists ---------------------------------------------------------------------

PACKAGE_TYPES: tuple[str, ...] = (
    "Product",
    "ImmaturePlant",
    "VegetativePlant",
    "PlantWaste",
    "HarvestWaste",
    "MotherPlant",
)

GROWTH_PHASES: tuple[str, ...] = ("Vegetative", "Flowering")

PLANT_ADDITIVE_TYPES: tuple[str, ...] = ("Fertilizer", "Pesticide", "Other")

LAB_TEST_STATES: tuple[str, ...] = (
    "NotSubmitted",
    "SubmittedForTesting",
    "TestFailed",
    "TestPassed",
    "TestingInProgress",
    "AwaitingConfirmation",
    "RetestFailed",
    "RetestPassed",
    "Remediated",
    "SelectedForRandomTesting",
    "NotRequired",
    "ProcessValidated",
    "Decontaminated",
    "RandDCompleted",
)

CUSTOMER_TYPES: tuple[str, ...] = (
    "Consumer",
    "Patient",
    "Caregiver",
    "ExternalPatient",
    "NonResidentConsumer",
)

DELIVERY_PACKAGE_STATES: tuple[str, ...] = ("Shipped", "Rejected", "Accepted", "Returned")


# --- Reasons ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why quantity left a package, plant or batch, and what recording it must include."""

    name: str
    requires_note: bool = False
    requires_waste_weight: bool = False
    requires_immature_waste_weight: bool = False
    requires_mature_waste_weight: bool = False


PACKAGE_ADJUSTMENT_REASONS: tuple[Reason, ...] = (
    Reason("Drying"),
    Reason("Entry Error"),
    Reason("Incorrect Quantity"),
    Reason("Moisture Loss"),
    Reason("Scale Variance"),
    Reason("Spoilage"),
    Reason("Damage", requires_note=True),
    Reason("Theft", requires_note=True),
    Reason("Waste", requires_waste_weight=True),
    Reason("Mandated State Destruction", requires_note=True),
    Reason("In-House Quality Control Testing"),
)

PLANT_WASTE_REASONS: tuple[Reason, ...] = (
    Reason("Contamination", requires_waste_weight=True, requires_mature_waste_weight=True),
    Reason("Male Plants"),
    Reason("Disease", requires_waste_weight=True, requires_mature_waste_weight=True),
    Reason("Pests", requires_waste_weight=True, requires_mature_waste_weight=True),
    Reason("Trimming/Pruning", requires_waste_weight=True, requires_mature_waste_weight=True),
    Reason("Unhealthy or Not Viable", requires_waste_weight=True),
    Reason("Mandated State Destruction", requires_note=True, requires_waste_weight=True),
    Reason("Other", requires_note=True, requires_waste_weight=True),
)

PLANT_BATCH_WASTE_REASONS: tuple[Reason, ...] = (
    Reason("Contamination", requires_waste_weight=True, requires_immature_waste_weight=True),
    Reason("Did Not Root", requires_waste_weight=True, requires_immature_waste_weight=True),
    Reason("Disease", requires_waste_weight=True, requires_immature_waste_weight=True),
    Reason("Pests", requires_waste_weight=True, requires_immature_waste_weight=True),
    Reason("Male Plants"),
    Reason("Unhealthy or Not Viable", requires_waste_weight=True),
    Reason("Mandated State Destruction", requires_note=True, requires_waste_weight=True),
    Reason("Other", requires_note=True, requires_waste_weight=True),
)

SALES_DELIVERY_RETURN_REASONS: tuple[Reason, ...] = (
    Reason("Spoilage"),
    Reason("Theft"),
    Reason("Customer Refused"),
    Reason("Customer Unavailable"),
    Reason("Incorrect Order"),
    Reason("Damaged in Transit", requires_note=True),
    Reason("Identification Failed"),
    Reason("Other", requires_note=True),
)


# --- Methods, batch types, waste types ----------------------------------------------------


@dataclass(frozen=True)
class WasteMethod:
    name: str
    for_plants: bool
    for_product_destruction: bool
    last_modified: datetime = NEVER_MODIFIED


WASTE_METHODS: tuple[WasteMethod, ...] = (
    WasteMethod("Grinder", for_plants=True, for_product_destruction=False),
    WasteMethod("Compost", for_plants=True, for_product_destruction=False),
    WasteMethod("Incinerator", for_plants=False, for_product_destruction=True),
    WasteMethod("Mixed With Non-Cannabis Waste", for_plants=True, for_product_destruction=True),
    WasteMethod("Landfill", for_plants=False, for_product_destruction=True),
)

# GET /plants/v2/waste/methods/all lists every method, flags included, so a client can see
# which ones apply to plants; it is the same catalogue as /wastemethods/v2.
PLANT_WASTE_METHODS: tuple[WasteMethod, ...] = WASTE_METHODS


@dataclass(frozen=True)
class PlantBatchType:
    id: int
    name: str
    can_be_cloned: bool
    last_modified: datetime = PLANT_BATCH_TYPES_DEFINED


PLANT_BATCH_TYPES: tuple[PlantBatchType, ...] = (
    PlantBatchType(1, "Seed", can_be_cloned=True),
    PlantBatchType(2, "Clone", can_be_cloned=False),
)


@dataclass(frozen=True)
class HarvestWasteType:
    name: str


HARVEST_WASTE_TYPES: tuple[HarvestWasteType, ...] = (
    HarvestWasteType("Plant Material"),
    HarvestWasteType("Fibrous"),
    HarvestWasteType("Root Ball"),
)


# --- Item categories ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemCategory:
    """An item category: its quantity type and what an item of it must state.

    The photo and PDF counts are how many images or documents an item must carry (0: none).
    The RTA ("ready to test again") settings are None where the state sets no such rule.
    """

    name: str
    product_category_type: str
    quantity_type: QuantityType
    requires_strain: bool = False
    requires_item_brand: bool = False
    requires_administration_method: bool = False
    requires_unit_cbd_percent: bool = False
    requires_unit_cbd_content: bool = False
    requires_unit_cbd_content_dose: bool = False
    requires_unit_cbd_a_percent: bool = False
    requires_unit_cbd_a_content: bool = False
    requires_unit_cbd_a_content_dose: bool = False
    requires_unit_thc_percent: bool = False
    requires_unit_thc_content: bool = False
    requires_unit_thc_content_dose: bool = False
    requires_unit_thc_a_percent: bool = False
    requires_unit_thc_a_content: bool = False
    requires_unit_thc_a_content_dose: bool = False
    requires_unit_volume: bool = False
    requires_unit_weight: bool = False
    requires_serving_size: bool = False
    requires_supply_duration_days: bool = False
    requires_number_of_doses: bool = False
    requires_public_ingredients: bool = False
    requires_description: bool = False
    requires_allergens: bool = False
    requires_product_photos: int = 0
    requires_product_photo_description: bool = False
    requires_label_photos: int = 0
    requires_label_photo_description: bool = False
    requires_packaging_photos: int = 0
    requires_packaging_photo_description: bool = False
    can_contain_seeds: bool = False
    can_be_remediated: bool = False
    can_be_decontaminated: bool = False
    can_be_destroyed: bool = False
    min_consecutive_sources_for_rta: int | None = None
    min_days_for_rta: int | None = None
    max_days_for_recovery_after_failure: int | None = None
    max_days_to_reach_min_sources: int | None = None
    min_new_passes_in_recovery_window: int | None = None
    max_days_to_maintain_rta: int | None = None
    max_repackage_distance_from_source: int | None = None
    max_days_without_tested_source: int | None = None
    requires_product_pdf_documents: int = 0
    lab_test_batch_names: tuple[str, ...] = field(default=())

    @property
    def is_plant(self) -> bool:
        """Items of this category are living plants (clones, immature or vegetative plants)."""
        return self.product_category_type == "Plants"


_FLOWER_TESTS = ("Flower Potency", "Flower Contaminants")
_CONCENTRATE_TESTS = ("Concentrate Potency", "Concentrate Contaminants", "Residual Solvents")
_INFUSED_TESTS = ("Infused Product Potency", "Infused Product Contaminants")

ITEM_CATEGORIES: tuple[ItemCategory, ...] = (
    # Harvested flower, sold or processed by weight.
    ItemCategory(
        "Buds",
        "Buds",
        WEIGHT,
        requires_strain=True,
        can_contain_seeds=True,
        can_be_remediated=True,
        lab_test_batch_names=_FLOWER_TESTS,
    ),
    ItemCategory(
        "Flower",
        "Buds",
        WEIGHT,
        requires_strain=True,
        can_contain_seeds=True,
        can_be_remediated=True,
        lab_test_batch_names=_FLOWER_TESTS,
    ),
    ItemCategory(
        "Shake/Trim",
        "ShakeTrim",
        WEIGHT,
        requires_strain=True,
        can_contain_seeds=True,
        can_be_remediated=True,
        lab_test_batch_names=_FLOWER_TESTS,
    ),
    ItemCategory(
        "Shake/Trim (Allocated for Extraction)",
        "ShakeTrim",
        WEIGHT,
        requires_strain=True,
        can_contain_seeds=True,
    ),
    ItemCategory(
        "Flower (Packaged - Each)",
        "Buds",
        COUNT,
        requires_strain=True,
        requires_unit_weight=True,
        can_be_remediated=True,
        lab_test_batch_names=_FLOWER_TESTS,
    ),
    ItemCategory(
        "Pre-Roll Flower",
        "Buds",
        COUNT,
        requires_strain=True,
        requires_unit_weight=True,
        can_be_remediated=True,
        lab_test_batch_names=_FLOWER_TESTS,
    ),
    ItemCategory(
        "Pre-Roll Infused",
        "InfusedNonEdible",
        COUNT,
        requires_strain=True,
        requires_unit_weight=True,
        requires_unit_thc_content=True,
        can_be_remediated=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    # Concentrates and extracts.
    ItemCategory(
        "Kief",
        "Concentrate",
        WEIGHT,
        requires_strain=True,
        can_be_remediated=True,
        lab_test_batch_names=_CONCENTRATE_TESTS,
    ),
    ItemCategory(
        "Concentrate",
        "Concentrate",
        WEIGHT,
        requires_strain=True,
        can_be_remediated=True,
        can_be_decontaminated=True,
        lab_test_batch_names=_CONCENTRATE_TESTS,
    ),
    ItemCategory(
        "Concentrate (Each)",
        "Concentrate",
        COUNT,
        requires_strain=True,
        requires_unit_weight=True,
        requires_unit_thc_percent=True,
        can_be_remediated=True,
        can_be_decontaminated=True,
        lab_test_batch_names=_CONCENTRATE_TESTS,
    ),
    ItemCategory(
        "Vape Cartridge",
        "Concentrate",
        COUNT,
        requires_strain=True,
        requires_item_brand=True,
        requires_unit_weight=True,
        requires_unit_thc_content=True,
        can_be_remediated=True,
        lab_test_batch_names=_CONCENTRATE_TESTS,
    ),
    # Infused products.
    ItemCategory(
        "Infused",
        "InfusedEdible",
        COUNT,
        requires_unit_thc_content=True,
        requires_unit_weight=True,
        can_be_remediated=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Infused Liquid",
        "InfusedEdible",
        COUNT,
        requires_unit_thc_content=True,
        requires_unit_volume=True,
        can_be_remediated=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Edible",
        "InfusedEdible",
        COUNT,
        requires_item_brand=True,
        requires_unit_thc_content=True,
        requires_unit_thc_content_dose=True,
        requires_unit_weight=True,
        requires_serving_size=True,
        requires_number_of_doses=True,
        requires_public_ingredients=True,
        requires_allergens=True,
        can_be_remediated=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Capsule",
        "InfusedEdible",
        COUNT,
        requires_administration_method=True,
        requires_unit_thc_content=True,
        requires_unit_thc_content_dose=True,
        requires_unit_cbd_content=True,
        requires_unit_weight=True,
        requires_number_of_doses=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Tincture",
        "InfusedEdible",
        COUNT,
        requires_administration_method=True,
        requires_unit_thc_content=True,
        requires_unit_cbd_content=True,
        requires_unit_volume=True,
        requires_serving_size=True,
        requires_supply_duration_days=True,
        can_be_remediated=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Topical",
        "InfusedNonEdible",
        COUNT,
        requires_administration_method=True,
        requires_unit_thc_content=True,
        requires_unit_weight=True,
        requires_public_ingredients=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    ItemCategory(
        "Topical Liquid",
        "InfusedNonEdible",
        COUNT,
        requires_administration_method=True,
        requires_unit_thc_content=True,
        requires_unit_volume=True,
        requires_public_ingredients=True,
        lab_test_batch_names=_INFUSED_TESTS,
    ),
    # Propagation material and plants.
    ItemCategory(
        "Seeds",
        "Seeds",
        COUNT,
        requires_strain=True,
        can_contain_seeds=True,
    ),
    ItemCategory("Clone - Cutting", "Plants", COUNT, requires_strain=True),
    ItemCategory(
        "Immature Plants",
        "Plants",
        COUNT,
        requires_strain=True,
        can_contain_seeds=True,
    ),
    ItemCategory("Vegetative Plants", "Plants", COUNT, requires_strain=True),
    # Waste.
    ItemCategory("Waste", "Waste", WEIGHT),
    ItemCategory("Plant Waste", "Waste", WEIGHT, requires_strain=True),
)


# --- Lab tests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabTestType:
    """A test a lab may report. `dependency_mode` is 0, or a rule naming other results it needs."""

    id: int
    name: str
    requires_test_result: bool = False
    informational_only: bool = False
    research_and_development: bool = False
    always_passes: bool = False
    max_allowed_failure_count: int = 0
    lab_test_result_mode: int = 0
    lab_test_result_minimum: Decimal | None = None
    lab_test_result_maximum: Decimal | None = None
    lab_test_result_expiration_days: int | None = None
    dependency_mode: int | str = 0


LAB_TEST_TYPES: tuple[LabTestType, ...] = (
    LabTestType(1, "THC"),
    LabTestType(2, "THCa"),
    LabTestType(3, "CBD"),
    LabTestType(4, "CBDa"),
    LabTestType(5, "Pesticides", dependency_mode="RequiresOne"),
    LabTestType(6, "Total THC", requires_test_result=True),
    LabTestType(7, "Total CBD", requires_test_result=True),
    LabTestType(8, "CBN", informational_only=True),
    LabTestType(9, "Terpenes", informational_only=True),
    LabTestType(10, "Moisture Content", requires_test_result=True),
    LabTestType(11, "Water Activity", requires_test_result=True),
    LabTestType(12, "Total Yeast and Mold", requires_test_result=True),
    LabTestType(13, "Salmonella", requires_test_result=True),
    LabTestType(14, "Shiga Toxin-Producing E. Coli", requires_test_result=True),
    LabTestType(15, "Aspergillus", requires_test_result=True),
    LabTestType(16, "Mycotoxins", requires_test_result=True),
    LabTestType(17, "Heavy Metals", requires_test_result=True, dependency_mode="RequiresOne"),
    LabTestType(18, "Residual Solvents", requires_test_result=True),
    LabTestType(19, "Foreign Matter"),
    LabTestType(20, "R&D Testing", research_and_development=True, always_passes=True),
)


# --- Transfers, locations, sales ----------------------------------------------------------


@dataclass(frozen=True)
class TransferType:
    name: str
    transaction_type: str
    for_licensed_shipments: bool = True
    for_external_incoming_shipments: bool = False
    for_external_outgoing_shipments: bool = False
    requires_destination_gross_weight: bool = False
    requires_packages_gross_weight: bool = False
    requires_invoice_number: bool = False
    requires_pdf_document: bool = False
    bypass_approval: bool = False
    external_incoming_can_record_external_identifier: bool = False
    external_incoming_external_identifier_required: bool = False
    external_outgoing_can_record_external_identifier: bool = False
    external_outgoing_external_identifier_required: bool = False


TRANSFER_TYPES: tuple[TransferType, ...] = (
    TransferType("Transfer", "Standard"),
    TransferType("Wholesale", "Wholesale"),
    TransferType("Affiliated Transfer", "Standard", bypass_approval=True),
    TransferType("Lab Sample Transfer", "Standard"),
    TransferType("Trade Sample", "Standard"),
    TransferType("Return", "Standard"),
    TransferType(
        "Wholesale Manifest",
        "Wholesale",
        requires_invoice_number=True,
        requires_packages_gross_weight=True,
    ),
    TransferType(
        "External Incoming",
        "Standard",
        for_licensed_shipments=False,
        for_external_incoming_shipments=True,
        external_incoming_can_record_external_identifier=True,
    ),
    TransferType(
        "Destruction (External)",
        "Standard",
        for_licensed_shipments=False,
        for_external_outgoing_shipments=True,
        requires_pdf_document=True,
        external_outgoing_can_record_external_identifier=True,
        external_outgoing_external_identifier_required=True,
    ),
)


@dataclass(frozen=True)
class LocationType:
    id: int
    name: str
    for_plant_batches: bool
    for_plants: bool
    for_harvests: bool
    for_packages: bool


LOCATION_TYPES: tuple[LocationType, ...] = (
    LocationType(1, "Default", True, True, True, True),
    LocationType(2, "Planting", True, True, False, False),
    LocationType(3, "Packing", False, False, False, True),
    LocationType(4, "Mother Room", True, True, False, False),
    LocationType(5, "Drying Room", False, False, True, False),
    LocationType(6, "Processing", False, False, True, True),
    LocationType(7, "Vault", False, False, False, True),
    LocationType(8, "Quarantine", False, False, True, True),
    LocationType(9, "Sales Floor", False, False, False, True),
)


@dataclass(frozen=True)
class County:
    id: int
    name: str


_COLORADO_COUNTIES = (
    "Adams", "Alamosa", "Arapahoe", "Archuleta", "Baca", "Bent", "Boulder", "Broomfield",
    "Chaffee", "Cheyenne", "Clear Creek", "Conejos", "Costilla", "Crowley", "Custer", "Delta",
    "Denver", "Dolores", "Douglas", "Eagle", "El Paso", "Elbert", "Fremont", "Garfield",
    "Gilpin", "Grand", "Gunnison", "Hinsdale", "Huerfano", "Jackson", "Jefferson", "Kiowa",
    "Kit Carson", "La Plata", "Lake", "Larimer", "Las Animas", "Lincoln", "Logan", "Mesa",
    "Mineral", "Moffat", "Montezuma", "Montrose", "Morgan", "Otero", "Ouray", "Park",
    "Phillips", "Pitkin", "Prowers", "Pueblo", "Rio Blanco", "Rio Grande", "Routt", "Saguache",
    "San Juan", "San Miguel", "Sedgwick", "Summit", "Teller", "Washington", "Weld", "Yuma",
)  # fmt: skip

# The two California counties first (as Metrc's example numbers them), then Colorado's 64.
COUNTIES: tuple[County, ...] = tuple(
    County(index, f"{name} County")
    for index, name in enumerate(("Los Angeles", "Sacramento", *_COLORADO_COUNTIES), start=1)
)


@dataclass(frozen=True)
class RegistrationLocation:
    """A jurisdiction that issues patient registrations: where a patient checking in (or
    buying) was registered."""

    id: int
    name: str


_JURISDICTIONS = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "District of Columbia", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois",
    "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts",
    "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
    "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
    "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming", "Guam", "Puerto Rico", "U.S. Virgin Islands",
)  # fmt: skip

# The states and the District in alphabetical order, then the territories.
PATIENT_REGISTRATION_LOCATIONS: tuple[RegistrationLocation, ...] = tuple(
    RegistrationLocation(index, name) for index, name in enumerate(_JURISDICTIONS, start=1)
)


@dataclass(frozen=True)
class PaymentType:
    id: int
    name: str


PAYMENT_TYPES: tuple[PaymentType, ...] = (
    PaymentType(1, "Cash"),
    PaymentType(2, "Debit Card"),
    PaymentType(3, "Credit Card"),
    PaymentType(4, "Check"),
    PaymentType(5, "ACH"),
    PaymentType(6, "Cashless ATM"),
    PaymentType(7, "Gift Card"),
    PaymentType(8, "Store Credit"),
)
