"""Lab tests through HTTP, v1 and v2: samples, results, release and its propagation along the
genealogy, documents, the results of a package, lab test batches.

The facility of most tests tests its own samples: a cultivator whose type may also test
packages (CanTestPackages, as Metrc's Massachusetts sandbox gives one of its cultivators), so
that one licence makes the harvest, the packages and the samples and records their results.
A Testing Lab receives its samples by a lab sample transfer, which leafledger has no endpoint
for yet. Every refusal is checked to be a 400 naming its row and to change nothing.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import Package
from leafledger.domain.services.package_gate import may_leave
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, example, harvest_into
from tests.metrc.test_package_inventory import (
    allow,
    derived,
    draw,
    refused,
    stock,
    stored_package,
    written_ids,
)
from tests.metrc.test_packages import ingredient, package_body
from tests.statements import page_statements

PDF_BYTES = b"%PDF-1.4\n% leafledger test\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def testing_grow(ledger: Ledger, store: Store) -> Grow:
    """A new cultivator that may test its own samples."""
    grow = Grow.start(ledger, store)
    allow(store, grow.facility.id, "CanTestPackages")
    return grow


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return testing_grow(ledger, store)


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, grow: Grow) -> Api:
    return Api(client, demo, grow.license)


@pytest.fixture()
def elsewhere(ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess) -> Api:
    """The demo user's requests at another facility that may test packages."""
    return Api(client, demo, testing_grow(ledger, store).license)


def passing(*names: str) -> list[dict[str, Any]]:
    return [
        {"LabTestTypeName": name, "Quantity": 1.5, "Passed": True, "Notes": ""}
        for name in names or ("THC",)
    ]


def results_body(
    grow: Grow, sample: str, results: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "Label": sample,
        "ResultDate": f"{grow.today}T00:00:00Z",
        "DocumentFileName": None,
        "DocumentFileBase64": None,
        "Results": results,
        **extra,
    }


class Lab:
    """The lab test steps at one facility, each through its endpoint."""

    def __init__(self, api: Api, grow: Grow) -> None:
        self.api, self.grow = api, grow

    def sample(self, source: str, item: str | None = None, quantity: int = 1) -> str:
        [tag] = self.grow.package_tags(1)
        item_name = item or self._item_of(source)
        body = [derived(self.grow, tag, item_name, quantity, draw(source, quantity))]
        written_ids(self.api, "POST", "/packages/v2/testing", body)
        return tag

    def derive(self, source: str, quantity: int = 1, item: str | None = None) -> str:
        [tag] = self.grow.package_tags(1)
        item_name = item or self._item_of(source)
        body = [derived(self.grow, tag, item_name, quantity, draw(source, quantity))]
        written_ids(self.api, "POST", "/packages/v2/", body)
        return tag

    def record(self, sample: str, results: list[dict[str, Any]] | None = None, **extra: Any) -> int:
        body = [results_body(self.grow, sample, results or passing(), **extra)]
        [lab_test] = written_ids(self.api, "POST", "/labtests/v2/record", body)
        return lab_test

    def release(self, sample: str) -> int:
        body = [{"PackageLabel": sample}]
        [lab_test] = written_ids(self.api, "PUT", "/labtests/v2/results/release", body)
        return lab_test

    def results(self, label: str) -> list[dict[str, Any]]:
        package_id = stored_package(self.grow.store, label).id
        data: list[dict[str, Any]] = self.api.ok(
            "GET", "/labtests/v2/results", packageId=str(package_id)
        )["Data"]
        return data

    def state(self, label: str) -> str:
        return stored_package(self.grow.store, label).lab_testing_state

    def _item_of(self, label: str) -> str:
        with self.grow.store.read() as session:
            from leafledger.domain.models import Item

            package = session.scalars(select(Package).where(Package.label == label)).one()
            item = session.get(Item, package.item_id)
            assert item is not None
            return item.name


@pytest.fixture()
def lab(api: Api, grow: Grow) -> Lab:
    return Lab(api, grow)


# --- the states a sample and its source move through ----------------------------------------


def test_a_sample_is_submitted_for_testing_and_so_is_its_untested_source(
    lab: Lab, grow: Grow
) -> None:
    source = stock(grow)
    passed = stock(grow, item=lab._item_of(source), lab_testing_state="TestPassed")
    sample = lab.sample(source)
    assert stored_package(grow.store, sample).is_testing_sample
    assert lab.state(sample) == "SubmittedForTesting"
    assert stored_package(grow.store, sample).initial_lab_testing_state == "SubmittedForTesting"
    assert lab.state(source) == "SubmittedForTesting"
    # A source tested already keeps its state while it is tested again.
    lab.sample(passed)
    assert lab.state(passed) == "TestPassed"


def test_recording_moves_the_sample_and_releasing_moves_the_tested_package(
    lab: Lab, grow: Grow, api: Api
) -> None:
    source = stock(grow)
    sample = lab.sample(source)
    lab_test = lab.record(sample)
    assert lab.state(sample) == "TestPassed"
    # Not final until released: the tested package waits, and the sample's results say so.
    assert lab.state(source) == "SubmittedForTesting"
    [line] = lab.results(sample)
    assert line["LabTestResultId"] == lab_test and line["ResultReleased"] is False
    assert line["ResultReleaseDateTime"] is None and line["OverallPassed"] is True
    assert lab.results(source) == []
    assert not may_leave(stored_package(grow.store, source)).allowed
    assert lab.release(sample) == lab_test
    assert lab.state(source) == "TestPassed"
    [released] = lab.results(source)
    assert released["ResultReleased"] is True and released["ResultReleaseDateTime"]
    assert released["SourcePackageLabel"] == source
    assert released["PackageId"] == stored_package(grow.store, source).id
    assert lab.results(sample)[0]["ResultReleased"] is True


def test_a_release_reaches_packages_made_from_the_tested_one_before_and_after_it(
    lab: Lab, api: Api, grow: Grow
) -> None:
    """harvest -> package A -> sample of A -> C from A -> results -> release -> B from A."""
    harvest_id = harvest_into(api, grow, ["500"])
    item = grow.item()
    [tag_a] = grow.package_tags(1)
    body = [package_body(grow, tag_a, item, "Grams", [ingredient(harvest_id, 100)])]
    api.ok("POST", "/harvests/v2/packages", body)
    assert lab.state(tag_a) == "NotSubmitted"
    early = lab.derive(tag_a, 5)  # made before the sample: not what the lab tested
    sample = lab.sample(tag_a)
    between = lab.derive(tag_a, 5)  # made after the sample, before the results
    further = lab.derive(between, 1)  # and one made from that
    assert lab.state(between) == lab.state(further) == "SubmittedForTesting"
    lab_test = lab.record(sample)
    assert lab.state(between) == "SubmittedForTesting"
    lab.release(sample)
    assert lab.state(tag_a) == "TestPassed"
    assert lab.state(between) == lab.state(further) == "TestPassed"
    assert lab.state(early) == "NotSubmitted"
    after = lab.derive(tag_a, 5)  # made after the release
    assert lab.state(after) == "TestPassed"
    for label in (tag_a, between, further, after):
        assert [line["LabTestResultId"] for line in lab.results(label)] == [lab_test], label
    assert lab.results(early) == []
    shown = api.ok("GET", f"/packages/v2/{stored_package(grow.store, after).id}")
    assert shown["LabTestingState"] == "TestPassed"
    assert may_leave(stored_package(grow.store, after)).allowed


def test_a_failed_result_holds_back_the_tested_package_and_what_is_made_from_it(
    lab: Lab, grow: Grow
) -> None:
    source = stock(grow)
    sample = lab.sample(source)
    between = lab.derive(source, 5)
    failing = [
        {"LabTestTypeName": "THC", "Quantity": 20, "Passed": True},
        {"LabTestTypeName": "Pesticides", "Quantity": 3, "Passed": False, "Notes": "over"},
    ]
    lab.record(sample, failing)
    assert lab.state(sample) == "TestFailed"
    lab.release(sample)
    assert lab.state(source) == lab.state(between) == "TestFailed"
    after = lab.derive(source, 5)
    assert lab.state(after) == "TestFailed"
    for label in (source, between, after):
        clearance = may_leave(stored_package(grow.store, label))
        assert not clearance.allowed
        assert f"package {label} is TestFailed in lab testing" in clearance.refusals
    lines = lab.results(source)
    assert [(line["TestTypeName"], line["TestPassed"]) for line in lines] == [
        ("THC", True),
        ("Pesticides", False),
    ]
    assert {line["OverallPassed"] for line in lines} == {False}
    assert lines[1]["TestComment"] == "over" and lines[1]["TestResultLevel"] == 3


def test_a_remediated_package_is_retested(lab: Lab, api: Api, grow: Grow) -> None:
    source = stock(grow)
    sample = lab.sample(source)
    lab.record(
        sample, [{"LabTestTypeName": "Total Yeast and Mold", "Quantity": 9, "Passed": False}]
    )
    lab.release(sample)
    assert lab.state(source) == "TestFailed"
    allow(grow.store, grow.facility.id, "CanRemediatePackagesWithFailedLabResults")
    remediation = {
        "PackageLabel": source,
        "RemediationMethodName": "Irradiation",
        "RemediationDate": grow.today,
        "RemediationSteps": "Dose and rest.",
    }
    written_ids(api, "PUT", "/packages/v2/remediate", [remediation])
    assert lab.state(source) == "Remediated"
    retest = lab.sample(source)
    between = lab.derive(source, 5)
    assert lab.state(between) == "Remediated"
    lab.record(retest, [{"LabTestTypeName": "Total Yeast and Mold", "Quantity": 1, "Passed": True}])
    assert lab.state(retest) == "RetestPassed"
    lab.release(retest)
    assert lab.state(source) == lab.state(between) == "RetestPassed"
    assert may_leave(stored_package(grow.store, source)).allowed


def test_a_retest_that_fails_again_is_retest_failed(lab: Lab, grow: Grow) -> None:
    source = stock(grow, lab_testing_state="TestFailed")
    sample = lab.sample(source)
    lab.record(sample, [{"LabTestTypeName": "THC", "Quantity": 1, "Passed": False}])
    lab.release(sample)
    assert lab.state(sample) == lab.state(source) == "RetestFailed"


def test_a_release_reaches_packages_drawn_from_a_sampled_harvest_after_the_sample(
    lab: Lab, api: Api, grow: Grow
) -> None:
    harvest_id = harvest_into(api, grow, ["500"])
    item = grow.item()
    early, sample, later, mixed_tag = grow.package_tags(4)
    other_harvest = harvest_into(api, grow, ["100"], name=unique("Other"))
    assert other_harvest != harvest_id
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, early, item, "Grams", [ingredient(harvest_id, 10)])],
    )
    api.ok(
        "POST",
        "/harvests/v2/packages/testing",
        [package_body(grow, sample, item, "Grams", [ingredient(harvest_id, 1)])],
    )
    assert lab.state(sample) == "SubmittedForTesting"
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [
            package_body(grow, later, item, "Grams", [ingredient(harvest_id, 10)]),
            package_body(
                grow,
                mixed_tag,
                item,
                "Grams",
                [ingredient(harvest_id, 10), ingredient(other_harvest, 10)],
            ),
        ],
    )
    made_from_later = lab.derive(later, 2)
    lab.record(sample)
    lab.release(sample)
    assert lab.state(later) == lab.state(made_from_later) == "TestPassed"
    # Drawn before the sample, or partly from a harvest the lab did not test: not reached.
    assert lab.state(early) == lab.state(mixed_tag) == "NotSubmitted"


def test_a_second_sample_of_a_harvest_that_failed_is_a_retest(
    lab: Lab, api: Api, grow: Grow
) -> None:
    harvest_id = harvest_into(api, grow, ["500"], name=unique("Harvest"))
    item = grow.item()
    first, second, made = grow.package_tags(3)
    for tag in (first, second):
        sample = [package_body(grow, tag, item, "Grams", [ingredient(harvest_id, 1)])]
        api.ok("POST", "/harvests/v2/packages/testing", sample)
    lab.record(first, [{"LabTestTypeName": "Aspergillus", "Quantity": 2, "Passed": False}])
    lab.record(second, [{"LabTestTypeName": "Aspergillus", "Quantity": 0, "Passed": True}])
    assert lab.state(second) == "TestPassed"  # recorded before the failure was released
    lab.release(first)
    [third] = grow.package_tags(1)
    retest = [package_body(grow, third, item, "Grams", [ingredient(harvest_id, 1)])]
    api.ok("POST", "/harvests/v2/packages/testing", retest)
    lab.record(third, [{"LabTestTypeName": "Aspergillus", "Quantity": 0, "Passed": True}])
    assert lab.state(third) == "RetestPassed"
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, made, item, "Grams", [ingredient(harvest_id, 10)])],
    )
    lab.release(third)
    assert lab.state(made) == "RetestPassed"


def test_v1_rows_record_and_release_with_empty_answers(lab: Lab, api: Api, grow: Grow) -> None:
    source = stock(grow)
    sample = lab.sample(source)
    response = api.call("POST", "/labtests/v1/record", [results_body(grow, sample, passing())])
    assert response.status_code == 200 and response.content == b""
    response = api.call("PUT", "/labtests/v1/results/release", [{"PackageLabel": sample}])
    assert response.status_code == 200 and response.content == b""
    assert lab.state(source) == "TestPassed"
    package_id = stored_package(grow.store, source).id
    listed = api.ok("GET", "/labtests/v1/results", packageId=str(package_id))
    assert isinstance(listed, list) and [line["TestTypeName"] for line in listed] == ["THC"]


# --- what is refused ---------------------------------------------------------------------------


def test_only_a_facility_that_may_test_records_or_releases_results(
    ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess
) -> None:
    grow = Grow.start(ledger, store)  # a cultivator, as its preset is: it may not test
    api = Api(client, demo, grow.license)
    sample = stock(grow, is_testing_sample=True)
    message = refused(
        api, grow, "POST", "/labtests/v2/record", [results_body(grow, sample, passing())]
    )
    assert "may not record lab test results" in message
    message = refused(api, grow, "PUT", "/labtests/v2/results/release", [{"PackageLabel": sample}])
    assert "may not release lab test results" in message


def test_results_on_a_package_that_is_not_a_sample_are_refused(api: Api, grow: Grow) -> None:
    package = stock(grow)
    message = refused(
        api, grow, "POST", "/labtests/v2/record", [results_body(grow, package, passing())]
    )
    assert message.startswith(f"Label: Package {package} is not a lab sample")
    message = refused(api, grow, "PUT", "/labtests/v2/results/release", [{"PackageLabel": package}])
    assert message.startswith("PackageLabel: ") and "not a lab sample" in message
    unknown = refused(
        api, grow, "POST", "/labtests/v2/record", [results_body(grow, "NO-SUCH", passing())]
    )
    assert "No package NO-SUCH" in unknown


@pytest.mark.parametrize(
    ("results", "named"),
    [
        ([], "Results must report at least one test"),
        ([{"LabTestTypeName": "Flavour", "Passed": True}], "Results[0].LabTestTypeName: unknown"),
        (
            [
                {"LabTestTypeName": "THC", "Passed": True},
                {"LabTestTypeName": "thc", "Passed": True},
            ],
            "Results[1]: the test 'THC' is reported twice",
        ),
        ([{"LabTestTypeName": "Total THC", "Passed": True}], "Results[0].Quantity: the test"),
        ([{"LabTestTypeName": "THC", "Quantity": -1, "Passed": True}], "Results[0].Quantity must"),
        ([{"LabTestTypeName": "Terpenes", "Passed": True}], "Results report informational"),
        ([{"LabTestTypeName": "THC", "Quantity": 1}], "Results[0].Passed: is required"),
    ],
)
def test_results_that_do_not_decide_are_refused_naming_the_test(
    lab: Lab, api: Api, grow: Grow, results: list[dict[str, Any]], named: str
) -> None:
    sample = lab.sample(stock(grow))
    message = refused(
        api, grow, "POST", "/labtests/v2/record", [results_body(grow, sample, results)]
    )
    assert message.startswith(named), message


def test_a_sample_takes_one_set_of_results_and_one_release(lab: Lab, api: Api, grow: Grow) -> None:
    sample = lab.sample(stock(grow))
    never = lab.sample(stock(grow))
    message = refused(api, grow, "PUT", "/labtests/v2/results/release", [{"PackageLabel": never}])
    assert "no lab test results were recorded" in message
    lab_test = lab.record(sample)
    again = refused(
        api, grow, "POST", "/labtests/v2/record", [results_body(grow, sample, passing())]
    )
    assert f"(lab test result {lab_test})" in again and "new sample" in again
    lab.release(sample)
    twice = refused(api, grow, "PUT", "/labtests/v2/results/release", [{"PackageLabel": sample}])
    assert "released already" in twice


def test_dates_in_the_future_or_before_the_sample_are_refused(
    lab: Lab, api: Api, grow: Grow
) -> None:
    sample = lab.sample(stock(grow))
    future = results_body(grow, sample, passing(), ResultDate="2199-01-01")
    assert "ResultDate" in refused(api, grow, "POST", "/labtests/v2/record", [future])
    before = results_body(grow, sample, passing(), ResultDate="2000-01-01")
    message = refused(api, grow, "POST", "/labtests/v2/record", [before])
    assert message.startswith("ResultDate: the sample")


def test_a_sample_required_to_pass_lab_test_batches_must_report_them(
    lab: Lab, api: Api, grow: Grow
) -> None:
    source = stock(grow)
    [tag] = grow.package_tags(1)
    required = {"RequiredLabTestBatches": ["Flower Potency", "Flower Contaminants"]}
    body = [derived(grow, tag, lab._item_of(source), 1, draw(source, 1), **required)]
    written_ids(api, "POST", "/packages/v2/testing", body)
    potency_only = results_body(grow, tag, passing("THC"))
    message = refused(api, grow, "POST", "/labtests/v2/record", [potency_only])
    assert message.startswith("Results: sample") and "'Flower Contaminants'" in message
    assert "Heavy Metals" in message
    no_potency = results_body(grow, tag, [{"LabTestTypeName": "Pesticides", "Passed": True}])
    message = refused(api, grow, "POST", "/labtests/v2/record", [no_potency])
    assert "'Flower Potency' (one of THC, THCa" in message
    contaminants = [
        "Pesticides",
        "Heavy Metals",
        "Total Yeast and Mold",
        "Salmonella",
        "Shiga Toxin-Producing E. Coli",
        "Aspergillus",
        "Mycotoxins",
        "Moisture Content",
        "Water Activity",
        "Foreign Matter",
    ]
    lab.record(tag, [*passing("CBD"), *passing(*contaminants)])
    assert lab.state(tag) == "TestPassed"


def test_a_failing_object_leaves_the_whole_request_undone(lab: Lab, api: Api, grow: Grow) -> None:
    first, second = lab.sample(stock(grow)), lab.sample(stock(grow))
    body = [
        results_body(grow, first, passing()),
        results_body(grow, second, [{"LabTestTypeName": "Flavour", "Passed": True}]),
    ]
    refused(api, grow, "POST", "/labtests/v2/record", body, row=1)
    assert lab.state(first) == "SubmittedForTesting"


# --- documents ---------------------------------------------------------------------------------


def test_a_pdf_document_is_kept_downloaded_and_replaced(lab: Lab, api: Api, grow: Grow) -> None:
    sample = lab.sample(stock(grow))
    lab_test = lab.record(
        sample,
        DocumentFileName="Results 20240115.pdf",
        DocumentFileBase64=encoded(PDF_BYTES),
    )
    [line] = lab.results(sample)
    first = line["LabTestResultDocumentFileId"]
    assert isinstance(first, int)
    shown = api.ok("GET", f"/labtests/v2/labtestdocument/{first}")
    assert shown == {
        "FileContents": encoded(PDF_BYTES),
        "ContentType": "application/pdf",
        "FileDownloadName": "Results 20240115.pdf",
    }
    assert api.ok("GET", f"/labtests/v1/labtestdocument/{first}") == shown
    change = {
        "LabTestResultId": lab_test,
        "DocumentFileName": "Corrected.PDF",
        "DocumentFileBase64": encoded(PDF_BYTES + b"% corrected\n"),
    }
    [second] = written_ids(api, "PUT", "/labtests/v2/labtestdocument", [change])
    assert second != first
    assert lab.results(sample)[0]["LabTestResultDocumentFileId"] == second
    assert api.ok("GET", f"/labtests/v2/labtestdocument/{second}")["FileDownloadName"] == (
        "Corrected.PDF"
    )
    assert api.ok("GET", f"/labtests/v2/labtestdocument/{first}") == shown  # kept
    response = api.call("PUT", "/labtests/v1/labtestdocument", [change])
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("name", "content", "named"),
    [
        ("results.pdf", encoded(PNG_BYTES), "DocumentFileBase64: the content of 'results.pdf'"),
        ("results.png", encoded(PDF_BYTES), "DocumentFileName: 'results.png' holds a PDF"),
        ("results.pdf", "not base64!", "DocumentFileBase64 is not valid base64"),
        (None, encoded(PDF_BYTES), "DocumentFileName is required"),
        ("results.pdf", None, "DocumentFileBase64 is required"),
        (
            "big.pdf",
            encoded(b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)),
            "The file is larger than 5 MB",
        ),
    ],
)
def test_documents_are_pdf_files_of_at_most_5_mb_read_from_their_bytes(
    lab: Lab,
    api: Api,
    grow: Grow,
    name: str | None,
    content: str | None,
    named: str,
) -> None:
    sample = lab.sample(stock(grow))
    body = results_body(grow, sample, passing(), DocumentFileName=name, DocumentFileBase64=content)
    message = refused(api, grow, "POST", "/labtests/v2/record", [body])
    assert message.startswith(named), message
    lab_test = lab.record(sample)
    change = {"LabTestResultId": lab_test, "DocumentFileName": name, "DocumentFileBase64": content}
    message = refused(api, grow, "PUT", "/labtests/v2/labtestdocument", [change])
    assert message.startswith(named), message


def test_a_document_belongs_to_the_facility_that_uploaded_it(
    lab: Lab, api: Api, grow: Grow, elsewhere: Api
) -> None:
    sample = lab.sample(stock(grow))
    lab_test = lab.record(sample, DocumentFileName="r.pdf", DocumentFileBase64=encoded(PDF_BYTES))
    [line] = lab.results(sample)
    response = elsewhere.call(
        "GET", f"/labtests/v2/labtestdocument/{line['LabTestResultDocumentFileId']}"
    )
    assert response.status_code == 401, response.text
    assert api.call("GET", "/labtests/v2/labtestdocument/2147483000").status_code == 404
    change = {
        "LabTestResultId": lab_test,
        "DocumentFileName": "x.pdf",
        "DocumentFileBase64": encoded(PDF_BYTES),
    }
    response = elsewhere.call("PUT", "/labtests/v2/labtestdocument", [change])
    assert response.status_code == 401, response.text
    missing = {**change, "LabTestResultId": 2147483000}
    message = refused(api, grow, "PUT", "/labtests/v2/labtestdocument", [missing])
    assert "No lab test result 2147483000" in message


# --- reads: results of a package, batches --------------------------------------------------------


def test_results_of_a_package_have_the_example_keys(lab: Lab, api: Api, grow: Grow) -> None:
    source = stock(grow)
    sample = lab.sample(source)
    lab.record(sample, [*passing("THC"), {"LabTestTypeName": "Terpenes", "Passed": True}])
    package_id = stored_package(grow.store, sample).id
    listed = api.ok("GET", "/labtests/v2/results", packageId=str(package_id))
    expected = example("GET /labtests/v2/results")
    assert set(listed) == set(expected)
    assert [list(line) for line in listed["Data"]] == [list(expected["Data"][0])] * 2
    thc, terpenes = listed["Data"]
    assert thc["LabFacilityLicenseNumber"] == grow.license
    assert thc["LabFacilityName"] == grow.facility.name
    assert thc["ProductName"] == lab._item_of(sample) and thc["ProductCategoryName"] == "Buds"
    assert thc["TestPerformedDate"] == grow.today and thc["TestResultLevel"] == 1.5
    assert thc["TestInformationalOnly"] is False and terpenes["TestInformationalOnly"] is True
    assert thc["SourcePackageLabel"] == source


def test_results_need_a_package_of_the_licence(
    api: Api, grow: Grow, ledger: Ledger, store: Store
) -> None:
    response = api.call("GET", "/labtests/v2/results")
    assert response.status_code == 400 and "packageId" in response.json()["Message"]
    assert api.call("GET", "/labtests/v2/results", packageId="x").status_code == 400
    assert api.call("GET", "/labtests/v2/results", packageId="2147483000").status_code == 404
    foreign = stored_package(store, stock(Grow.start(ledger, store))).id
    assert api.call("GET", "/labtests/v2/results", packageId=str(foreign)).status_code == 401
    assert api.call("GET", "/labtests/v1/results", packageId=str(foreign)).status_code == 401


def test_a_page_of_results_costs_the_same_statements_at_any_size(
    lab: Lab, api: Api, grow: Grow, client: TestClient, store: Store
) -> None:
    source = stock(grow)
    for _ in range(3):
        sample = lab.sample(source)
        lab.record(sample, passing("THC", "CBD"))
        lab.release(sample)
    package_id = stored_package(store, source).id
    params = {"licenseNumber": api.license, "packageId": str(package_id)}
    found = page_statements(
        client, store.engine, "/labtests/v2/results", api.headers, params, (1, 6)
    )
    assert [records for records, _ in found.values()] == [1, 6]
    assert found[1][1] == found[6][1]


def test_lab_test_batches_have_the_example_keys(client: TestClient, demo: DemoAccess) -> None:
    response = client.get("/labtests/v2/batches", headers=demo.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = example("GET /labtests/v2/batches")
    assert set(body) == set(expected)
    first, documented = body["Data"][0], expected["Data"][0]
    assert list(first) == list(documented)
    assert list(first["LabTestTypes"][0]) == list(documented["LabTestTypes"][0])
    category, documented_category = first["ItemCategories"][0], documented["ItemCategories"][0]
    assert list(category) == list(documented_category)
    assert set(category["ProductCategory"]) == set(documented_category["ProductCategory"])
    by_name = {batch["Name"]: batch for batch in body["Data"]}
    potency = by_name["Flower Potency"]
    assert potency["LabTestTypeCount"] == len(potency["LabTestTypes"]) == 6
    assert {c["ProductCategory"]["Name"] for c in potency["ItemCategories"]} >= {"Buds", "Flower"}
    assert by_name["Flower Contaminants"]["RequiresAllFromLabTestBatch"] is True
    paged = client.get("/labtests/v2/batches", params={"pageSize": 2}, headers=demo.headers)
    assert len(paged.json()["Data"]) == 2 and paged.json()["TotalPages"] == 4


def test_the_lab_samples_list_shows_the_results_recorded_for_each(
    lab: Lab, api: Api, grow: Grow
) -> None:
    waiting, tested = lab.sample(stock(grow)), lab.sample(stock(grow))
    lab.record(tested, [{"LabTestTypeName": "THC", "Quantity": 1, "Passed": False}])
    listed = {p["Label"]: p for p in api.ok("GET", "/packages/v2/labsamples")["Data"]}
    assert list(listed[tested]) == list(example("GET /packages/v2/labsamples")["Data"][0])
    assert listed[waiting]["LabFacilityLicenseNumber"] is None
    assert listed[waiting]["OverallPassed"] is None and listed[waiting]["ResultReleased"] is None
    shown = listed[tested]
    assert shown["LabFacilityLicenseNumber"] == grow.license
    assert shown["LabFacilityName"] == grow.facility.name
    assert shown["OverallPassed"] is False and shown["TestPerformedDate"] == grow.today
    assert shown["ResultReleased"] is False and shown["ResultReleaseDateTime"] is None
    assert shown["LabTestingState"] == "TestFailed"
    lab.release(tested)
    data = api.ok("GET", "/packages/v2/labsamples")["Data"]
    [released] = [p for p in data if p["Label"] == tested]
    assert released["ResultReleased"] is True and released["ResultReleaseDateTime"]
