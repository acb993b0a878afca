"""The parts Trace's cultivation writes share: additives, destructions and waste.

A Trace PUT on a plant or a plant batch carries its additives, destructions or waste as lists
of parts; each part is what the ledger's own command for it says, less the plant or batch (the
PUT's target) and with the additive's template as a row (Trace names it by id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from leafledger.domain.models import AdditivesTemplate
from leafledger.domain.services.cultivation import Additive, Waste
from leafledger.domain.services.lookups import active_name
from leafledger.domain.services.parts import values_of


@dataclass(frozen=True, kw_only=True)
class AppliedAdditive(Additive):
    """An additive applied, completed from a template when one is named."""

    template: AdditivesTemplate | None = None

    def named(self) -> dict[str, Any]:
        """The fields of the ledger's additive commands (the template by its name)."""
        template = self.template
        name = None if template is None else active_name(template, "additives template")
        return {**values_of(self, "template"), "template_name": name}


@dataclass(frozen=True, kw_only=True)
class Destruction(Waste):
    """Plants destroyed (how many, for a batch) and the waste they leave."""

    count: int = 1
    actual_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class WasteEntry(Waste):
    """Waste gathered from plants without destroying any."""

    waste_date: date | None = None
