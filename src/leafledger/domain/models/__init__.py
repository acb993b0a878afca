"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from leafledger.domain.models.additive import AdditivesTemplate, PlantAdditive
from leafledger.domain.models.audit import AuditChain, AuditEvent
from leafledger.domain.models.base import Base
from leafledger.domain.models.facility import Facility
from leafledger.domain.models.harvest import Harvest, HarvestPlant, HarvestWaste
from leafledger.domain.models.identity import Employee, Integrator, TraceAccount, User
from leafledger.domain.models.item import Item, ItemAttachment, ItemBrand
from leafledger.domain.models.lab_test import (
    LabTest,
    LabTestDocument,
    LabTestPackage,
    LabTestResult,
)
from leafledger.domain.models.location import Location, Sublocation
from leafledger.domain.models.package import (
    Package,
    PackageAdjustment,
    PackageCount,
    PackageShipment,
    PackageSource,
    PackageTreatment,
)
from leafledger.domain.models.patient import (
    CaregiverDesignation,
    Patient,
    PatientCheckIn,
    PatientPurchase,
)
from leafledger.domain.models.plant import Plant, PlantCount, PlantWaste
from leafledger.domain.models.plant_batch import PlantBatch
from leafledger.domain.models.processing import (
    ProcessingJob,
    ProcessingJobAttribute,
    ProcessingJobInput,
    ProcessingJobType,
)
from leafledger.domain.models.retail_id import RetailIdAllotment, RetailIdCode, RetailIdIssuance
from leafledger.domain.models.sale import SalesReceipt, SalesReceiptCount, SalesTransaction
from leafledger.domain.models.sales_delivery import (
    RetailerDelivery,
    RetailerDeliveryPackage,
    SalesDelivery,
    SalesDeliveryLine,
)
from leafledger.domain.models.sandbox import DemoSandbox, SandboxUser
from leafledger.domain.models.strain import Strain
from leafledger.domain.models.tag import Tag
from leafledger.domain.models.transfer import (
    TemplatePackage,
    Transfer,
    TransferDelivery,
    TransferDriver,
    TransferTransporter,
)
from leafledger.domain.models.transporter import Driver, Vehicle

__all__ = [
    "AdditivesTemplate",
    "AuditChain",
    "AuditEvent",
    "Base",
    "CaregiverDesignation",
    "DemoSandbox",
    "Driver",
    "Employee",
    "Facility",
    "Harvest",
    "HarvestPlant",
    "HarvestWaste",
    "Integrator",
    "Item",
    "ItemAttachment",
    "ItemBrand",
    "LabTest",
    "LabTestDocument",
    "LabTestPackage",
    "LabTestResult",
    "Location",
    "Package",
    "PackageAdjustment",
    "PackageCount",
    "PackageShipment",
    "PackageSource",
    "PackageTreatment",
    "Patient",
    "PatientCheckIn",
    "PatientPurchase",
    "Plant",
    "PlantAdditive",
    "PlantBatch",
    "PlantCount",
    "PlantWaste",
    "ProcessingJob",
    "ProcessingJobAttribute",
    "ProcessingJobInput",
    "ProcessingJobType",
    "RetailIdAllotment",
    "RetailIdCode",
    "RetailIdIssuance",
    "RetailerDelivery",
    "RetailerDeliveryPackage",
    "SalesDelivery",
    "SalesDeliveryLine",
    "SalesReceipt",
    "SalesReceiptCount",
    "SalesTransaction",
    "SandboxUser",
    "Strain",
    "Sublocation",
    "Tag",
    "TemplatePackage",
    "TraceAccount",
    "Transfer",
    "TransferDelivery",
    "TransferDriver",
    "TransferTransporter",
    "User",
    "Vehicle",
]
