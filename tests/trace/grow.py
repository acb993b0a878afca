"""A small cultivation built through the Trace dialect, for the cultivation resource tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient, issued_tags

# Two days ago, as Trace writes a timestamp (no date of the ledger may be in the future).
DAY = (date.today() - timedelta(days=2)).isoformat() + "T00:00:00Z"


@dataclass
class Grow:
    """One facility's room, strain and tags, and the Trace calls that grow plants there."""

    fresh: TraceClient
    metrc: MetrcCalls
    store: Store
    room: dict[str, Any]
    strain: dict[str, Any]
    plant_tags: list[str] = field(default_factory=list)

    @property
    def batches(self) -> TraceClient:
        return self.fresh.at("plant_batches")

    @property
    def plants(self) -> TraceClient:
        return self.fresh.at("plants")

    @property
    def harvests(self) -> TraceClient:
        return self.fresh.at("harvests")

    def tags(self, kind: str, count: int) -> list[str]:
        return issued_tags(self.store, self.fresh.license_number, kind, count)

    def batch(self, count: int = 10, **more: Any) -> dict[str, Any]:
        body = {
            "name": unique("Batch"),
            "type": {"id": "COPBT0002"},
            "quantity": {"unit_of_measure": "Each", "total": count},
            "planted_date": DAY,
            "strain": {"id": self.strain["id"]},
            "locations": {"id": self.room["id"]},
            **more,
        }
        made: dict[str, Any] = self.batches.data("POST", body=body)
        return made

    def tagging(self, batch: dict[str, Any], count: int, **more: Any) -> dict[str, Any]:
        """The body that tags `count` plants of `batch` from the next unused tags on."""
        start = self.tags("plant", count)[0]
        return {
            "origin": {"plant_batch": {"id": batch["id"]}},
            "quantity": count,
            "barcode": start,
            "growth_phase": {"id": "COPGP0001", "growth_date": DAY},
            "locations": {"id": self.room["id"]},
            **more,
        }

    def vegetative(self, count: int, batch: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        made: list[dict[str, Any]] = self.plants.data(
            "POST", body=self.tagging(batch or self.batch(count), count)
        )
        return made

    def flower(self, plant: dict[str, Any]) -> dict[str, Any]:
        body = {"actions": {"id": "COPLUD0006"}, "growth_phase": {"id": "COPGP0002"}}
        flowered: dict[str, Any] = self.plants.data("PUT", f"/{plant['id']}", body)
        return flowered

    def flowering(self, count: int) -> list[dict[str, Any]]:
        return [self.flower(plant) for plant in self.vegetative(count)]

    def harvest(
        self, plants: list[dict[str, Any]], weight: str = "100", kind: str = "COHHT0001"
    ) -> dict[str, Any]:
        body = {
            "name": unique("Harvest"),
            "harvest_date": {"start": DAY},
            "type": {"id": kind},
            "plants": [
                {"id": p["id"], "quantity": weight, "unit_of_measure": "Grams"} for p in plants
            ],
            "locations": {"id": self.room["id"]},
        }
        made: dict[str, Any] = self.harvests.data("POST", body=body)
        return made

    def product(self, unit: str = "Grams") -> dict[str, Any]:
        body = {
            "name": unique(f"Buds {unit}"),
            "category": {"id": "COPCAT0001"},
            "characteristics": {"unit_of_measure": unit, "strain": {"id": self.strain["id"]}},
        }
        made: dict[str, Any] = self.fresh.at("config/products").data("POST", body=body)
        return made
