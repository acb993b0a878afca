"""PUT /plantbatches/v2/tag through HTTP: a plant tag on a batch, used once, the old one retired."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import AuditEvent, PlantBatch, Tag
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_plant_batches import Grow, make_grow
from tests.metrc.test_plant_groups import refused, tag_status


@pytest.fixture()
def grow(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    """A facility with an active batch "Clones" (planted 2024-01-10) and plant tags 1..20."""
    made = make_grow(client, ledger, store, demo, tags=20)
    assert made.plant("Clones", 20).status_code == 200
    return made


def batch_tag(store: Store, batch_id: int) -> str | None:
    with store.read() as session:
        return session.scalar(
            select(Tag.label)
            .join(PlantBatch, PlantBatch.tag_id == Tag.id)
            .where(PlantBatch.id == batch_id)
        )


def tag_id(store: Store, label: str) -> int:
    with store.read() as session:
        return int(session.scalars(select(Tag.id).where(Tag.label == label)).one())


def retag(**fields: Any) -> dict[str, Any]:
    return {"Id": None, "Group": None, "TagId": None, "NewTag": None, **fields}


def test_tag_a_batch_by_group_then_replace_it_by_id(grow: Grow, store: Store) -> None:
    batch_id = grow.batch("Clones")["Id"]
    first = retag(Group="Clones", NewTag=grow.tag(1), ReplaceDate="2024-01-15")
    response = grow.send("PUT", "/plantbatches/v2/tag", [first])
    assert response.status_code == 200, response.text
    assert response.json() == {"Ids": [batch_id], "Warnings": None}
    assert batch_tag(store, batch_id) == grow.tag(1)
    assert tag_status(store, grow.tag(1)) == "Used"
    second = retag(Id=batch_id, TagId=tag_id(store, grow.tag(2)), ReplaceDate="2024-01-16")
    assert grow.send("PUT", "/plantbatches/v2/tag", [second]).json()["Ids"] == [batch_id]
    assert batch_tag(store, batch_id) == grow.tag(2)
    assert [tag_status(store, grow.tag(n)) for n in (1, 2)] == ["Retired", "Used"]
    # NewTag and TagId may both be given when they agree
    both = retag(Id=batch_id, TagId=tag_id(store, grow.tag(3)), NewTag=grow.tag(3))
    assert grow.send("PUT", "/plantbatches/v2/tag", [both]).status_code == 200
    assert batch_tag(store, batch_id) == grow.tag(3)
    with store.read() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.entity_type == "plant_batches", AuditEvent.entity_id == batch_id
                )
            )
        )
    assert actions.count("replace_tag") == 3
    # the batch's counts and wire shape are untouched
    assert grow.batch("Clones")["UntrackedCount"] == 20


def test_batch_tag_refusals_change_nothing(
    grow: Grow, store: Store, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    batch_id = grow.batch("Clones")["Id"]
    fine = retag(Group="Clones", NewTag=grow.tag(1))
    assert grow.send("PUT", "/plantbatches/v2/tag", [fine]).status_code == 200
    again = retag(Group="Clones", NewTag=grow.tag(2))
    assert grow.send("PUT", "/plantbatches/v2/tag", [again]).status_code == 200
    # tag 1 is retired now, tag 2 is on the batch
    other = make_grow(client, ledger, store, demo, tags=2)
    assert other.plant("Theirs", 3).status_code == 200
    package_tag = grow.send(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 1}
    ).json()["Labels"][0]
    assert grow.plant("Spent", 1).status_code == 200
    spent = grow.batch("Spent")["Id"]
    destroy = {"PlantBatch": "Spent", "Count": 1, "WasteReasonName": "Male Plants"}
    assert grow.send("DELETE", "/plantbatches/v2/", [destroy]).status_code == 200
    ok = retag(Group="Clones", NewTag=grow.tag(5))
    for wrong, message in [
        (retag(Group="Clones", NewTag=grow.tag(1)), "retired"),
        (retag(Group="Clones", NewTag=grow.tag(2)), "used only once"),
        (retag(Group="Clones", NewTag=other.tag(1)), "not issued to this facility"),
        (retag(Group="Clones", TagId=tag_id(store, other.tag(1))), "not issued to this"),
        (retag(Group="Clones", TagId=987654321), "not issued to this facility"),
        (retag(Group="Clones", NewTag=package_tag), "not a plant tag"),
        (retag(Group="Clones", NewTag="1A4NOSUCHTAG"), "not issued to this facility"),
        (retag(Group="Clones"), "NewTag or TagId"),
        (retag(Group="Clones", NewTag=grow.tag(6), TagId=tag_id(store, grow.tag(7))), "is tag"),
        (retag(Group="No Such Batch", NewTag=grow.tag(6)), "No active plant batch"),
        (retag(NewTag=grow.tag(6)), "by Id or by Group"),
        (retag(Id=spent, NewTag=grow.tag(6)), "inactive"),
        (retag(Id=other.batch("Theirs")["Id"], NewTag=grow.tag(6)), "No plant batch"),
        (retag(Id=2**40, NewTag=grow.tag(6)), "No plant batch"),
        (retag(Group="Clones", NewTag=grow.tag(6), ReplaceDate="2999-01-01"), "future"),
        (retag(Group="Clones", NewTag=grow.tag(6), ReplaceDate="2024-01-01"), "planted"),
    ]:
        assert message in refused(grow, store, "PUT", "/plantbatches/v2/tag", [ok, wrong]), wrong
    assert batch_tag(store, batch_id) == grow.tag(2)


def test_batch_tags_need_a_grower(grow: Grow, ledger: Ledger, demo: DemoAccess) -> None:
    shop = ledger.facility("Dispensary")
    ledger.grant_demo_user(shop.license_number)
    response = grow.client.put(
        "/plantbatches/v2/tag",
        params={"licenseNumber": shop.license_number},
        headers=demo.headers,
        json=[retag(Group="Clones", NewTag=grow.tag(1))],
    )
    assert response.status_code == 400
    assert "may not grow plants" in response.json()[0]["message"]
