"""Tags through the Metrc dialect: available lists, staged tags, the sandbox endpoints, the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from leafledger.cli import app as cli_app
from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.services.facilities import get_facility
from leafledger.domain.services.lookups import claim_tag
from leafledger.domain.services.tags import issue_tags
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_locations import Api
from tests.statements import counted_statements


@pytest.fixture(scope="module")
def examples(shared_dir: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared_dir / "spec" / "metrc" / "v2-examples.json").read_text()
    )
    return data


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, ledger: Ledger) -> Api:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    return Api(client, demo.headers, facility.license_number)


def issue(store: Store, license_number: str, kind: str, count: int) -> list[str]:
    with store.transaction() as session:
        tags = issue_tags(session, CLI, get_facility(session, license_number), kind, count)
        return [tag.label for tag in tags]


def available(api: Api, kind: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/tags/v2/{kind}/available")
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list)  # a bare array, as in the example
    return body


@pytest.mark.parametrize("kind", ["plant", "package"])
def test_available_lists_only_this_facilitys_unused_tags_of_the_kind(
    api: Api, store: Store, examples: dict[str, Any], kind: str
) -> None:
    mine = issue(store, api.license, kind, 3)
    issue(store, api.license, "package" if kind == "plant" else "plant", 2)
    with store.transaction() as session:
        claim_tag(session, CLI, get_facility(session, api.license), mine[0], kind.title())
    other = Api(api.client, api.headers, "LL-DEMO-CUL-0001")
    issue(store, other.license, kind, 1)
    listed = available(api, kind)
    assert [item["Label"] for item in listed] == mine[1:]
    example = examples[f"GET /tags/v2/{kind}/available"]["response_example"][0]
    assert all(set(item) == set(example) for item in listed)
    first = listed[0]
    assert first["TagTypeName"] == f"Marijuana {kind.title()}"
    assert first["TagInventoryTypeName"] == f"Medical{kind.title()}"
    assert first["MaxGroupSize"] == 0 and first["GroupTagTypeName"] is None
    with store.read() as session:
        assert first["FacilityId"] == get_facility(session, api.license).id
    assert all(item["Label"] not in mine for item in available(other, kind))


def test_staged_tags_answer_an_empty_array(api: Api, store: Store) -> None:
    issue(store, api.license, "package", 2)
    response = api.call("GET", "/tags/v2/staged")
    assert response.status_code == 200
    assert response.json() == []


def test_sandbox_tag_types_list_plant_and_package_types(api: Api) -> None:
    response = api.call("GET", "/sandbox/v2/tagtypes")
    assert response.status_code == 200
    types = response.json()
    assert [(t["Name"], t["Category"]) for t in types] == [
        ("Marijuana Plant", "Plant"),
        ("Marijuana Package", "Package"),
    ]
    assert all(set(t) == {"Id", "Name", "Category", "TagInventoryTypeName"} for t in types)


def test_sandbox_issues_tags_of_the_named_type(api: Api, store: Store) -> None:
    response = api.call(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 25}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"TagType", "Count", "Labels"}
    assert body["TagType"] == "Marijuana Package" and body["Count"] == 25
    labels = body["Labels"]
    assert len(set(labels)) == 25 and all(len(label) == 24 for label in labels)
    assert [item["Label"] for item in available(api, "package")] == labels
    assert available(api, "plant") == []
    # Issued tags are used exactly once, and only as the kind they were issued for.
    with store.transaction() as session:
        facility = get_facility(session, api.license)
        claim_tag(session, CLI, facility, labels[0], "Package")
        with pytest.raises(RuleViolation, match="only once"):
            claim_tag(session, CLI, facility, labels[0], "Package")
        with pytest.raises(RuleViolation, match="not a plant tag"):
            claim_tag(session, CLI, facility, labels[1], "Plant")
    more = api.call("POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Plant", "Count": 1})
    assert more.status_code == 200
    assert [item["Label"] for item in available(api, "plant")] == more.json()["Labels"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"TagType": "Marijuana Plant", "Count": 0}, "1 to 1000"),
        ({"TagType": "Marijuana Plant", "Count": 1001}, "1 to 1000"),
        ({"TagType": "Marijuana Plant", "Count": -5}, "1 to 1000"),
        ({"TagType": "Marijuana Plant", "Count": 2.5}, "Count"),
        ({"TagType": "Marijuana Plant", "Count": "10"}, "Count"),
        ({"TagType": "Marijuana Plant"}, "Count"),
        ({"TagType": "Hemp Clone", "Count": 5}, "Unknown tag type"),
        ({"Count": 5}, "TagType"),
    ],
)
def test_sandbox_refuses_bad_requests_with_400(
    api: Api, body: dict[str, Any], fragment: str
) -> None:
    response = api.call("POST", "/sandbox/v2/facility/tags", body)
    assert response.status_code == 400
    assert fragment in response.json()["Message"]
    assert available(api, "plant") == []


def test_sandbox_works_for_every_licence_type(client: TestClient, demo: DemoAccess) -> None:
    for license_number in demo.licenses.values():
        caller = Api(client, demo.headers, license_number)
        response = caller.call(
            "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 2}
        )
        assert response.status_code == 200, (license_number, response.text)
        assert len(response.json()["Labels"]) == 2


def test_cli_issues_tags_and_prints_the_labels(
    database_url: str, ledger: Ledger, client: TestClient, demo: DemoAccess
) -> None:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    runner = CliRunner()
    args = ["tags", "issue", "--facility", facility.license_number, "--database", database_url]
    result = runner.invoke(cli_app, [*args, "--kind", "plant", "--count", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["kind"] == "Plant" and payload["tag_type"] == "Marijuana Plant"
    assert len(payload["labels"]) == 3
    plain = runner.invoke(cli_app, [*args, "--kind", "package", "--count", "2"])
    assert plain.exit_code == 0, plain.output
    printed = plain.stdout.split()
    assert len(printed) == 2 and all(len(label) == 24 for label in printed)
    api = Api(client, demo.headers, facility.license_number)
    assert [item["Label"] for item in available(api, "plant")] == payload["labels"]
    assert [item["Label"] for item in available(api, "package")] == printed
    refused = runner.invoke(cli_app, [*args, "--kind", "seed", "--count", "1"])
    assert refused.exit_code == 1 and "Unknown tag kind" in refused.stderr
    unknown = runner.invoke(
        cli_app,
        [
            "tags",
            "issue",
            "--facility",
            "NOPE-0",
            "--kind",
            "plant",
            "--count",
            "1",
            "--database",
            database_url,
        ],
    )
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: ")


def test_an_available_list_costs_the_same_statements_whatever_its_length(
    api: Api, store: Store
) -> None:
    """The list is not paged: one tag and three cost the same."""

    def statements() -> tuple[int, int]:
        available(api, "plant")  # the credentials are remembered before counting
        with counted_statements(store.engine) as seen:
            listed = available(api, "plant")
        return len(listed), len(seen)

    issue(store, api.license, "plant", 1)
    one = statements()
    issue(store, api.license, "plant", 2)
    three = statements()
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]
