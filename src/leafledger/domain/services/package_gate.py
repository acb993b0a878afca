"""Whether a package may leave the facility: be sold to a consumer or patient, or transferred.

One question, answered here only, so that retail sales, deliveries and transfers (later
issues) refuse the same packages for the same reasons. A package may leave when:

- it is active: not discontinued and not finished;
- it is not on hold;
- it holds something (quantity above zero);
- it is not a lab sample (a testing sample goes to the lab on a lab sample transfer, which is
  the lab sample path, not this one);
- it does not require remediation or decontamination;
- its lab testing state lets it: it passed (TestPassed, RetestPassed), testing is not required
  of it (NotRequired) or its process was validated (ProcessValidated). Any other state means
  a result is missing, failed or awaited (NotSubmitted, SubmittedForTesting, TestingInProgress,
  AwaitingConfirmation, SelectedForRandomTesting, TestFailed, RetestFailed) or that it was
  treated and must be tested again (Remediated, Decontaminated), or that it was research only
  (RandDCompleted). Packages of living plants are not lab tested: their lab testing state is
  not asked.

`may_leave` lists every reason that holds, for messages and reports; `require_may_leave`
raises them, together, as one rule violation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from leafledger.domain.errors import FieldPath, RuleViolation

LEAVING_LAB_STATES = frozenset({"TestPassed", "RetestPassed", "NotRequired", "ProcessValidated"})
# Package types that hold living plants, which lab testing does not concern.
PLANT_PACKAGE_TYPES = frozenset({"ImmaturePlant", "VegetativePlant", "MotherPlant"})


class Leaving(Protocol):
    """What the gate reads of a package (a Package row, or its read model)."""

    @property
    def label(self) -> str: ...
    @property
    def package_type(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_of_measure_name(self) -> str: ...
    @property
    def archived_date(self) -> date | None: ...
    @property
    def finished_date(self) -> date | None: ...
    @property
    def is_on_hold(self) -> bool: ...
    @property
    def is_testing_sample(self) -> bool: ...
    @property
    def product_requires_remediation(self) -> bool: ...
    @property
    def product_requires_decontamination(self) -> bool: ...
    @property
    def lab_testing_state(self) -> str: ...


@dataclass(frozen=True)
class Clearance:
    """The answer for one package: the reasons it may not leave (none: it may)."""

    label: str
    refusals: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def _refusals(package: Leaving) -> list[str]:
    label = package.label
    found: list[str] = []
    if package.archived_date is not None:
        found.append(f"package {label} is discontinued")
    if package.finished_date is not None:
        found.append(f"package {label} is finished")
    if package.is_on_hold:
        found.append(f"package {label} is on hold")
    if package.quantity <= 0:
        found.append(f"package {label} is empty")
    if package.is_testing_sample:
        found.append(f"package {label} is a lab sample")
    if package.product_requires_remediation:
        found.append(f"package {label} requires remediation")
    if package.product_requires_decontamination:
        found.append(f"package {label} requires decontamination")
    tested = package.package_type not in PLANT_PACKAGE_TYPES
    if tested and package.lab_testing_state not in LEAVING_LAB_STATES:
        found.append(f"package {label} is {package.lab_testing_state} in lab testing")
    return found


def may_leave(package: Leaving) -> Clearance:
    """Whether `package` may be sold or transferred, and if not every reason why."""
    return Clearance(package.label, tuple(_refusals(package)))


def require_may_leave(package: Leaving, field: str | FieldPath | None = None) -> None:
    """Refuse a sale or transfer of `package` (`field`: where the request names it)."""
    clearance = may_leave(package)
    if not clearance.allowed:
        reasons = "; ".join(clearance.refusals)
        raise RuleViolation(f"The package may not leave the facility: {reasons}.", field=field)
