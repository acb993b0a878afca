"""Retail ID (v2): QR codes on the units of packages (domain/services/retail_id.py).

- GET /retailid/v2/allotment: {"FacilityId", "Allotment": codes the facility may still
  generate, "FacilityLicenseNumber"}.
- POST /retailid/v2/generate, body {"PackageLabel", "Quantity"}: new codes for the package,
  answered as Metrc's example shows: {"IssuanceId", "Manifest": {"Qrs": [the codes' URLs],
  "Ranges": [[first serial, last serial]]}, "Url": a page printing the issuance's QR codes,
  "CoaBl" and "StackBl" in the example's "<package label or item name>@<source>" form}.
- POST /retailid/v2/associate, body [{"PackageLabel", "QrUrls": [...]}]: codes printed
  elsewhere put on packages; answers the packages' ids.
- POST /retailid/v2/merge, body {"packageLabels": [target, source, ...]}: each source's
  quantity and codes merged into the target; answers the packages' ids, target first.
- POST /retailid/v2/packages/info, body {"packageLabels": [...]}: {"Packages": [{"Tag",
  "QrCount", "EstimatedBalance", "SiblingCount", "IssuanceId" (the latest), "Issuances"
  (null for none), "HasQrs", "RequiresVerification"}]} (domain/queries/retail_id.py).
- GET /retailid/v2/receive/{label} and /receive/qr/{shortCode}: the codes a package holds
  (the package of that code), {"Eaches": [their URLs], "SiblingTags", "RequiresVerification",
  "Ranges" (serials of the generated ones), "QrCount", "ChildTag": the package's label,
  "LabelSource": "RetailId"}.

A package named in a body is loaded like a path's: one of another facility answers 401, an
unknown one 400. Bodies spell the list of labels `packageLabels`, as Metrc's examples do
(`PackageLabels` is read too). What anyone scanning a code sees is served outside the Metrc
paths (leafledger/retail_id_pages.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AliasChoices, Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import bulk, show
from leafledger.dialects.kit.loaders import ByKey
from leafledger.dialects.kit.results import Written
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import Label, Url, WireInt
from leafledger.domain.models import Package, RetailIdCode
from leafledger.domain.queries import retail_id as queries
from leafledger.domain.queries.retail_id import Allotment, Received, Summary
from leafledger.domain.services import retail_id as service

SOURCE = "leafledger"  # the label source named in CoaBl and StackBl (Metrc: "Metrc Direct")
MAX_LABELS = 100

PackageByLabel = Annotated[Label, Loads(Package, "package", key="label")]


@dataclass(frozen=True)
class PackagesNamed:
    """The packages a read names in its body (POST /retailid/v2/packages/info)."""

    packages: tuple[Package, ...]


# --- bodies ----------------------------------------------------------------------------------


class GenerationBody(MetrcBody):
    command = service.CodeGeneration
    package: PackageByLabel = Field(alias="PackageLabel")
    quantity: WireInt


class AssociationBody(MetrcBody):
    command = service.CodeAssociation
    package: PackageByLabel = Field(alias="PackageLabel")
    qr_urls: tuple[Url, ...]


class _LabelsBody(MetrcBody):
    packages: Annotated[
        tuple[Label, ...], Loads(Package, "package", key="label"), Field(max_length=MAX_LABELS)
    ] = Field(
        alias="packageLabels", validation_alias=AliasChoices("packageLabels", "PackageLabels")
    )


class MergeBody(_LabelsBody):
    command = service.PackageMerge


class PackagesInfoBody(_LabelsBody):
    command = PackagesNamed


# --- answers (OpenAPI: Endpoint.answers) -----------------------------------------------------


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


TEXT, MAYBE_TEXT = {"type": "string"}, {"type": ["string", "null"]}
WHOLE, FLAG = {"type": "integer"}, {"type": "boolean"}
RANGES = {
    "type": "array",
    "items": {"type": "array", "items": WHOLE, "minItems": 2, "maxItems": 2},
}
ISSUANCE = _object(
    LabelSet=WHOLE, LabelQuantity=WHOLE, CreatedAt={"type": "string", "format": "date-time"}
)
GENERATED = _object(
    CoaBl=TEXT,
    IssuanceId=TEXT,
    Manifest=_object(Qrs={"type": "array", "items": TEXT}, Ranges=RANGES),
    StackBl=TEXT,
    Url=TEXT,
)
PACKAGES_INFO = _object(
    Packages={
        "type": "array",
        "items": _object(
            Tag=TEXT,
            QrCount=WHOLE,
            EstimatedBalance=WHOLE,
            SiblingCount=WHOLE,
            IssuanceId=MAYBE_TEXT,
            Issuances={"type": ["array", "null"], "items": ISSUANCE},
            HasQrs=FLAG,
            RequiresVerification=FLAG,
        ),
    }
)


# --- rendering -------------------------------------------------------------------------------


def render_allotment(allotment: Allotment) -> dict[str, Any]:
    return {
        "FacilityId": allotment.facility.id,
        "Allotment": allotment.remaining,
        "FacilityLicenseNumber": allotment.facility.license_number,
    }


def render_generation(made: service.Generation) -> dict[str, Any]:
    issuance = made.issuance
    return {
        "CoaBl": f"{made.package.label}@{SOURCE}~COA",
        "IssuanceId": issuance.public_id,
        "Manifest": {
            "Qrs": [code.url for code in made.codes],
            "Ranges": [[issuance.first_serial, issuance.last_serial]],
        },
        "StackBl": f"{made.item_name}@{SOURCE}",
        "Url": f"{service.resolver()}/issuances/{issuance.public_id}",
    }


def render_received(held: Received) -> dict[str, Any]:
    return {
        "Eaches": list(held.urls),
        "SiblingTags": list(held.sibling_labels),
        "RequiresVerification": held.requires_verification,
        "Ranges": [list(run) for run in queries.ranges(held.serials)],
        "QrCount": len(held.urls),
        "ChildTag": held.label,
        "LabelSource": "RetailId",
    }


def render_summary(summary: Summary) -> dict[str, Any]:
    issuances = summary.issuances
    return {
        "Tag": summary.label,
        "QrCount": summary.code_count,
        "EstimatedBalance": summary.estimated_balance,
        "SiblingCount": len(summary.sibling_labels),
        "IssuanceId": issuances[-1].public_id if issuances else None,
        "Issuances": [
            {
                "LabelSet": issuance.label_set,
                "LabelQuantity": issuance.quantity,
                "CreatedAt": issuance.created_at.isoformat(),
            }
            for issuance in issuances
        ]
        or None,
        "HasQrs": summary.code_count > 0,
        "RequiresVerification": summary.requires_verification,
    }


# --- handlers --------------------------------------------------------------------------------

RECEIVED = ByKey(Package, "label", "package", complete=queries.received_by_package)
RECEIVED_BY_CODE = ByKey(
    RetailIdCode,
    "short_code",
    "Retail ID code",
    param="shortCode",
    complete=queries.received_by_code,
)

receive = show(render_received)
associate = bulk(service.associate_codes)


def allotment(call: Call) -> dict[str, Any]:
    return render_allotment(queries.allotment(call.session, call.facility))


def generate(call: Call) -> dict[str, Any]:
    made = service.generate_codes(call.session, call.actor, call.facility, call.command)
    return render_generation(made)


def merge(call: Call) -> Written:
    merged = service.merge_packages(call.session, call.actor, call.facility, call.command)
    return Written([package.id for package in merged])


def packages_info(call: Call) -> dict[str, Any]:
    asked: PackagesNamed = call.command
    summaries = queries.summaries(call.session, asked.packages)
    return {"Packages": [render_summary(summary) for summary in summaries]}
