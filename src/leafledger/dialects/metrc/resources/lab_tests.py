"""Lab tests, v1 and v2: results recorded for sample packages, their release, their documents,
the results of a package, and the lab test batches.

The rules (what a lab may record, the states a package moves through, how a release reaches
the packages made from the tested one) are `domain/services/lab_tests.py`'s; the results of a
package are `domain/queries/lab_tests.py`'s. Bodies take the examples' wire names:

- POST /labtests/v2/record (v1 /record): `Label` (the sample's), `ResultDate`, an optional
  PDF document (`DocumentFileName`, `DocumentFileBase64`) and `Results` (`LabTestTypeName`,
  `Quantity`, `Passed`, `Notes`); answers the ids of the lab test results, one per object;
- PUT /labtests/v2/results/release (v1): `PackageLabel`, the sample's; answers the ids of the
  lab test results released;
- PUT /labtests/v2/labtestdocument (v1): `LabTestResultId` and the document; answers the ids
  of the new documents (the result's earlier document is kept, and still downloadable).

GET /labtests/v2/results?packageId= lists one record per test (the example's shape), of every
lab test that applies to the package; GET /labtests/v2/labtestdocument/{id} answers the
document as GET /items/v2/file/{id} answers a file (`FileContents` in base64, `ContentType`,
`FileDownloadName`). GET /labtests/v2/batches lists the lab test batches with their test types
and the item categories tested by them; each type renders as GET /labtests/v2/types renders
it and each category as GET /items/v2/categories does (the example's nested records show
placeholder zeros where those lists name a category type or a dependency), and the row's
answer schema says so.
"""

from __future__ import annotations

import base64
import copy
from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import bulk, fixed, listing, show
from leafledger.dialects.kit.loaders import ById, ByQuery
from leafledger.dialects.kit.openapi import shape_of
from leafledger.dialects.metrc import openapi
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_record
from leafledger.dialects.metrc.wire import Name, Note, WireBool, WireDate, WireId, WireQuantity
from leafledger.domain import queries, reference
from leafledger.domain.models import LabTest, LabTestDocument, Package
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.lab_tests import LabResultRow
from leafledger.domain.services import lab_tests as service

# --- bodies ----------------------------------------------------------------------------------


class ReportedTestBody(MetrcBody):
    command = service.ReportedTest
    test_type: Name = Field(alias="LabTestTypeName")
    level: WireQuantity | None = Field(None, alias="Quantity")
    passed: WireBool
    notes: Note | None = None


class _DocumentFields(MetrcBody):
    document_file_name: str | None = None
    document: str | None = Field(None, alias="DocumentFileBase64")


class SampleResultsBody(_DocumentFields):
    command = service.SampleResults
    label: Name
    result_date: WireDate
    results: tuple[ReportedTestBody, ...] = ()


class ReleaseBody(MetrcBody):
    command = service.Release
    label: Name = Field(alias="PackageLabel")


class DocumentChangeBody(_DocumentFields):
    command = service.DocumentChange
    lab_test: Annotated[WireId, Loads(LabTest, "lab test result")] = Field(alias="LabTestResultId")


# --- rendering -------------------------------------------------------------------------------


def render_result(row: LabResultRow) -> dict[str, Any]:
    return {
        "PackageId": row.package_id,
        "LabTestResultId": row.lab_test_id,
        "LabFacilityLicenseNumber": row.lab_license_number,
        "LabFacilityName": row.lab_name,
        "SourcePackageLabel": row.tested_label,
        "ProductName": row.product_name,
        "ProductCategoryName": row.product_category_name,
        "TestPerformedDate": row.result_date.isoformat(),
        "OverallPassed": row.overall_passed,
        "RevokedDate": None,
        "LabTestResultDocumentFileId": row.document_id,
        "ResultReleased": row.released_at is not None,
        "ResultReleaseDateTime": None if row.released_at is None else row.released_at.isoformat(),
        "ExpirationDateTime": None,
        "TestTypeName": row.lab_test_type_name,
        "TestPassed": row.passed,
        "TestResultLevel": row.level,
        "TestComment": row.notes,
        "TestInformationalOnly": row.informational_only,
        "LabTestDetailRevokedDate": None,
    }


def render_document(document: LabTestDocument) -> dict[str, Any]:
    return {
        "FileContents": base64.b64encode(document.content).decode("ascii"),
        "ContentType": document.content_type,
        "FileDownloadName": document.file_name,
    }


def render_batch(batch: reference.LabTestBatch) -> dict[str, Any]:
    types = [t for name in batch.lab_test_type_names if (t := _type_named(name)) is not None]
    categories = [
        (index, category)
        for index, category in enumerate(reference.ITEM_CATEGORIES, start=1)
        if batch.name in category.lab_test_batch_names
    ]
    return {
        "Id": batch.id,
        "Name": batch.name,
        "LabTestTypeCount": len(types),
        "LabTestTypes": [pascal_record(t) for t in types],
        "ItemCategoryCount": len(categories),
        "ItemCategories": [
            {
                "ProductCategoryId": f"ProductCategory-{index}",
                "ProductCategory": pascal_record(category),
                "RequireLabTestBatch": True,
            }
            for index, category in categories
        ],
        "RequiresAllFromLabTestBatch": batch.requires_all,
    }


def _type_named(name: str) -> reference.LabTestType | None:
    return reference.find_named(reference.LAB_TEST_TYPES, name)


def _record_shape(key: str) -> dict[str, Any]:
    """The documented shape of one record of the v2 list `key`."""
    shape: dict[str, Any] = shape_of(openapi.documented(key, "response"))
    return dict(shape["properties"]["Data"]["items"])


def _batches_answer() -> dict[str, Any]:
    """The documented shape of GET /labtests/v2/batches, where its nested test types and
    categories take the shapes of GET /labtests/v2/types and GET /items/v2/categories, which
    render them (the example's nested values are placeholders: zeros for names)."""
    shape = copy.deepcopy(shape_of(openapi.documented("GET /labtests/v2/batches", "response")))
    batch = shape["properties"]["Data"]["items"]["properties"]
    batch["LabTestTypes"]["items"] = _record_shape("GET /labtests/v2/types")
    category = batch["ItemCategories"]["items"]["properties"]
    category["ProductCategory"] = _record_shape("GET /items/v2/categories")
    return shape


BATCHES_ANSWER = _batches_answer()


# --- handlers --------------------------------------------------------------------------------

DOCUMENT = ById(LabTestDocument, "lab test document")
ASKED_PACKAGE = ByQuery(Package, "package", "packageId")


def _results_of_target(call: Call) -> Listed:
    package: Package = call.target
    return queries.lab_tests.results(call.facility, package)


record = bulk(service.record_results)
release = bulk(service.release_results)
replace_document = bulk(service.replace_document)
results = listing(_results_of_target, render_result)
get_document = show(render_document)
batches = fixed(reference.LAB_TEST_BATCHES, render_batch, "lab_test_batches")
