"""Processing jobs driven at random through the services (hypothesis state machine).

Each run sets up a manufacturer with source packages of every quantity type in awkward units
(ounces, pounds, fluid ounces...), then takes random steps: start jobs from several sources,
adjust them (taking more, or giving back), package from them, finish them with waste,
unfinish and archive them. Each step is one transaction, as a request is. A model of the
ledger predicts which steps are allowed: an allowed step must succeed and do exactly what the
model says; a refused one must change nothing. After every step, in every quantity type and
exactly (Decimals):

- each job's books agree with the entries behind them (its inputs, its output packages'
  sources, its waste) and with the model;
- taken in = packaged + waste + remaining, with nothing negative;
- what left each source is what the jobs hold from it; sources never go below zero;
- over the whole facility, what the sources held at the start equals what they hold now plus
  what the jobs took in.

The number of runs and steps is bounded so that it stays fast in CI; it runs on the suite's
database (SQLite, or PostgreSQL with LEAFLEDGER_TEST_DATABASE_URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Package,
    PackageSource,
    ProcessingJob,
    ProcessingJobInput,
)
from leafledger.domain.services import processing as service
from leafledger.domain.services.harvests import in_unit
from leafledger.domain.services.processing_types import JobTypeFields, create_job_type
from leafledger.domain.units import BASE_UNITS, QuantityType, find_unit, get_unit, to_base
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import stock
from tests.metrc.test_processing_jobs import item_of, ledger_state

COUNT, VOLUME, WEIGHT = QuantityType.COUNT, QuantityType.VOLUME, QuantityType.WEIGHT
KINDS = {COUNT: "count", VOLUME: "volume", WEIGHT: "weight"}
UNITS = {
    WEIGHT: ("Grams", "Ounces", "Pounds", "Kilograms", "Milligrams"),
    VOLUME: ("Milliliters", "Liters", "Fluid Ounces", "Gallons"),
    COUNT: ("Each",),
}
# The sources of each run: (quantity, unit, quantity type).
SOURCES = (
    ("1000", "Grams", WEIGHT),
    ("30", "Ounces", WEIGHT),
    ("5", "Pounds", WEIGHT),
    ("20", "Liters", VOLUME),
    ("160", "Fluid Ounces", VOLUME),
    ("500", "Each", COUNT),
)
ZERO = Decimal(0)

quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(6), places=3)
signed = st.decimals(min_value=Decimal(-3), max_value=Decimal(6), places=3)


@dataclass
class JobModel:
    """What the model expects of one job."""

    job_id: int
    name: str
    consumed: dict[QuantityType, Decimal] = field(
        default_factory=lambda: dict.fromkeys(KINDS, ZERO)
    )
    packaged: dict[QuantityType, Decimal] = field(
        default_factory=lambda: dict.fromkeys(KINDS, ZERO)
    )
    waste: dict[QuantityType, Decimal] = field(default_factory=lambda: dict.fromkeys(KINDS, ZERO))
    held: dict[str, Decimal] = field(default_factory=dict)  # label -> in the package's unit
    finished: bool = False
    active: bool = True

    def remaining(self, kind: QuantityType) -> Decimal:
        return self.consumed[kind] - self.packaged[kind] - self.waste[kind]


@dataclass
class Source:
    label: str
    unit: str
    kind: QuantityType
    initial: Decimal
    quantity: Decimal


def _drawn(source: Source, quantity: Decimal, unit: str) -> Decimal | None:
    """What a line takes from a source, in its unit, as the ledger converts it (None: the line
    is not allowed: a unit of another type, nothing, or too small to record)."""
    if get_unit(unit).quantity_type is not source.kind or quantity == 0:
        return None
    size = in_unit(abs(quantity), unit, source.unit)
    if size <= 0:
        return None
    return size if quantity > 0 else -size


class ProcessingBooks(RuleBasedStateMachine):
    jobs = Bundle("jobs")

    def __init__(self, ledger: Ledger, store: Store) -> None:
        super().__init__()
        self.store = store
        shop = Grow.start(ledger, store, "Manufacturer")
        self.facility_id = shop.facility.id
        self.items = {
            WEIGHT: shop.item("Concentrate"),
            VOLUME: item_of(shop, "Tincture", "VolumeBased", "Milliliters"),
            COUNT: shop.item("Edible", "CountBased"),
        }
        self.sources = []
        for quantity, unit, kind in SOURCES:
            label = stock(shop, quantity, unit, item=self.items[kind])
            self.sources.append(Source(label, unit, kind, Decimal(quantity), Decimal(quantity)))
        self.tags = shop.package_tags(60)
        self.models: dict[int, JobModel] = {}
        self.outputs: list[str] = []
        with store.transaction() as session:
            facility = self._facility(session)
            fields = JobTypeFields(name=unique("Extract"), category="Extraction")
            self.type_name = create_job_type(session, CLI, facility, fields).name

    def _facility(self, session: Any) -> Facility:
        found = session.get(Facility, self.facility_id)
        assert found is not None
        return found

    def _apply(self, allowed: bool, call: Any) -> Any:
        """Run one step as one transaction: an allowed step succeeds; a refused one changes
        nothing."""
        before = ledger_state(self.store, self.facility_id)
        try:
            with self.store.transaction() as session:
                result = call(session, self._facility(session))
                made = getattr(result, "id", None)
        except RuleViolation as exc:
            assert not allowed, f"refused an allowed step: {exc}"
            assert ledger_state(self.store, self.facility_id) == before
            return None
        assert allowed, "allowed a step the rules refuse"
        return made

    # --- steps

    def _lines(
        self, data: Any, amounts: Any, job: JobModel | None = None
    ) -> list[tuple[Source, Decimal, str]]:
        """One to three lines on random sources (for an adjustment, mostly those the job
        holds from), mostly in a unit of the source's type."""
        held = [s for s in self.sources if job is not None and job.held.get(s.label)]
        lines = []
        for _ in range(data.draw(st.integers(1, 3))):
            pool = held if held and data.draw(st.integers(0, 9)) < 7 else self.sources
            source = data.draw(st.sampled_from(pool))
            wrong = next(u for k, names in UNITS.items() if k is not source.kind for u in names)
            unit = data.draw(st.sampled_from((*UNITS[source.kind], wrong)))
            quantity = data.draw(amounts)
            lines.append((source, quantity, unit))
        return lines

    def _part_of(self, data: Any, job: JobModel, kind: QuantityType, unit: str) -> Decimal:
        """A quantity in `unit` near a random share of what the job holds of `kind` (at times
        a little more than it holds)."""
        share = data.draw(
            st.sampled_from((Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal("1.1")))
        )
        held = in_unit(job.remaining(kind), BASE_UNITS[kind], unit) * share
        return max(held.quantize(Decimal("0.001"), rounding=ROUND_DOWN), Decimal("0.001"))

    def _allowed_moves(
        self, job: JobModel | None, lines: list[tuple[Source, Decimal, str]]
    ) -> dict[str, Decimal] | None:
        """The net change of each source, or None when the lines are not allowed."""
        if not lines:
            return None
        net: dict[str, Decimal] = {}
        by_kind: dict[QuantityType, Decimal] = {}
        for source, quantity, unit in lines:
            size = _drawn(source, quantity, unit)
            if size is None or (job is None and size < 0):
                return None
            net[source.label] = net.get(source.label, ZERO) + size
            by_kind[source.kind] = by_kind.get(source.kind, ZERO) + to_base(size, source.unit)
            held = ZERO if job is None else job.held.get(source.label, ZERO)
            if net[source.label] > source.quantity or -net[source.label] > held:
                return None
        if job is not None and any(job.remaining(k) + c < 0 for k, c in by_kind.items()):
            return None
        return net

    def _book(self, job: JobModel, net: dict[str, Decimal]) -> None:
        for source in self.sources:
            change = net.get(source.label)
            if change is None:
                continue
            source.quantity -= change
            job.held[source.label] = job.held.get(source.label, ZERO) + change
            job.consumed[source.kind] += to_base(change, source.unit)

    @rule(target=jobs, data=st.data())
    def start(self, data: Any) -> Any:
        lines = self._lines(data, quantities)
        net = self._allowed_moves(None, lines)
        name = unique("Job")
        command = service.JobStart(
            name=name,
            job_type=self.type_name,
            weight_unit="Ounces",
            packages=[service.JobPackage(s.label, q, u) for s, q, u in lines],
        )
        job_id = self._apply(net is not None, lambda s, f: service.start_job(s, CLI, f, command))
        if job_id is None:
            return multiple()
        assert net is not None
        model = JobModel(job_id, name)
        self._book(model, net)
        self.models[job_id] = model
        return job_id

    @rule(job_id=jobs, data=st.data())
    def adjust(self, job_id: int, data: Any) -> None:
        model = self.models[job_id]
        lines = self._lines(data, signed, model)
        net = self._allowed_moves(model, lines) if model.active and not model.finished else None

        def call(session: Any, facility: Facility) -> Any:
            command = service.JobAdjustment(
                job=session.get(ProcessingJob, job_id),
                reason="Scale Variance",
                packages=[service.JobPackage(s.label, q, u) for s, q, u in lines],
            )
            return service.adjust_job(session, CLI, facility, command)

        if self._apply(net is not None, call) is not None:
            assert net is not None
            self._book(model, net)

    @rule(job_id=jobs, data=st.data())
    def package(self, job_id: int, data: Any) -> None:
        model = self.models[job_id]
        holding = [kind for kind in KINDS if model.remaining(kind) > 0]
        kind = data.draw(st.sampled_from(holding or list(KINDS)))
        unit = data.draw(st.sampled_from(UNITS[kind]))
        quantity = self._part_of(data, model, kind, unit)
        base = to_base(quantity, unit)
        allowed = model.active and not model.finished and base <= model.remaining(kind)
        tag = self.tags.pop()
        command = service.JobOutput(
            job_name=model.name,
            tag=tag,
            item=self.items[kind],
            quantity=quantity,
            unit_of_measure=unit,
        )
        made = self._apply(allowed, lambda s, f: service.create_job_package(s, CLI, f, command))
        if made is not None:
            model.packaged[kind] += base
            self.outputs.append(tag)

    @rule(job_id=jobs, data=st.data())
    def finish(self, job_id: int, data: Any) -> None:
        model = self.models[job_id]
        wastes: dict[str, Any] = {}
        expected = dict.fromkeys(KINDS, ZERO)
        allowed = model.active and not model.finished
        for kind, word in KINDS.items():
            if not data.draw(st.booleans()):
                continue
            unit = data.draw(st.sampled_from(UNITS[kind]))
            quantity = self._part_of(data, model, kind, unit) if data.draw(st.booleans()) else ZERO
            wastes[f"waste_{word}"], wastes[f"waste_{word}_unit"] = quantity, unit
            expected[kind] = to_base(quantity, unit)
            allowed = allowed and expected[kind] <= model.remaining(kind)

        def call(session: Any, facility: Facility) -> Any:
            command = service.JobFinish(job=session.get(ProcessingJob, job_id), **wastes)
            return service.finish_job(session, CLI, facility, command)

        if self._apply(allowed, call) is not None:
            model.waste, model.finished = expected, True

    @rule(job_id=jobs)
    def unfinish(self, job_id: int) -> None:
        model = self.models[job_id]

        def call(session: Any, facility: Facility) -> Any:
            command = service.JobNamed(session.get(ProcessingJob, job_id))
            return service.unfinish_job(session, CLI, facility, command)

        if self._apply(model.active and model.finished, call) is not None:
            model.waste, model.finished = dict.fromkeys(KINDS, ZERO), False

    @rule(job_id=jobs)
    def archive(self, job_id: int) -> None:
        model = self.models[job_id]
        empty = all(model.remaining(kind) == 0 for kind in KINDS)
        allowed = model.active and (model.finished or empty)

        def call(session: Any, facility: Facility) -> Any:
            return service.archive_job(session, CLI, facility, session.get(ProcessingJob, job_id))

        if self._apply(allowed, call) is not None:
            model.active = False

    # --- what must hold after every step

    @invariant()
    def books_balance_exactly_and_nothing_is_negative(self) -> None:
        with self.store.read() as session:
            jobs = {
                job.id: job
                for job in session.scalars(
                    select(ProcessingJob).where(ProcessingJob.facility_id == self.facility_id)
                )
            }
            inputs = list(
                session.scalars(
                    select(ProcessingJobInput).where(
                        ProcessingJobInput.facility_id == self.facility_id
                    )
                )
            )
            outputs = session.execute(
                select(PackageSource, Package)
                .join(Package, Package.id == PackageSource.package_id)
                .where(PackageSource.source_processing_job_id.in_(list(jobs)))
            ).all()
            packages = {
                p.label: p
                for p in session.scalars(
                    select(Package).where(Package.facility_id == self.facility_id)
                )
            }
        assert set(jobs) == set(self.models)
        taken_in = {(j, k): ZERO for j in jobs for k in KINDS}
        held: dict[tuple[int, int], Decimal] = {}
        for entry in inputs:
            unit = find_unit(entry.unit_of_measure_name)
            assert unit is not None
            assert entry.amount == to_base(entry.quantity, unit)
            taken_in[(entry.job_id, unit.quantity_type)] += entry.amount
            key = (entry.job_id, entry.package_id)
            held[key] = held.get(key, ZERO) + entry.quantity
        made = {(j, k): ZERO for j in jobs for k in KINDS}
        for source, package in outputs:
            unit = get_unit(source.unit_of_measure_name)
            assert (source.quantity, source.unit_of_measure_name) == (
                package.quantity,
                package.unit_of_measure_name,
            )
            made[(source.source_processing_job_id, unit.quantity_type)] += to_base(
                source.quantity, unit
            )
        ids = {source.label: packages[source.label].id for source in self.sources}
        for job_id, job in jobs.items():
            model = self.models[job_id]
            for label, quantity in model.held.items():
                assert held.get((job_id, ids[label]), ZERO) == quantity
            assert (job.active, job.finished_date is not None) == (model.active, model.finished)
            for kind, word in KINDS.items():
                consumed = getattr(job, f"consumed_{word}")
                packaged = getattr(job, f"packaged_{word}")
                waste = getattr(job, f"waste_{word}")
                assert consumed == taken_in[(job_id, kind)] == model.consumed[kind]
                assert packaged == made[(job_id, kind)] == model.packaged[kind]
                assert waste == model.waste[kind]
                remaining = consumed - packaged - waste
                assert consumed == packaged + waste + remaining
                assert min(consumed, packaged, waste, remaining) >= 0
        totals = dict.fromkeys(KINDS, ZERO)
        for source in self.sources:
            stored = packages[source.label]
            assert stored.quantity == source.quantity >= 0
            given = sum((q for (_, package_id), q in held.items() if package_id == stored.id), ZERO)
            assert source.initial - stored.quantity == given
            totals[source.kind] += to_base(source.initial - stored.quantity, source.unit)
        for kind in KINDS:
            assert totals[kind] == sum((self.models[j].consumed[kind] for j in jobs), ZERO)
        assert all(packages[tag].quantity > 0 for tag in self.outputs)


def test_random_processing_keeps_the_books_exact(ledger: Ledger, store: Store) -> None:
    run_state_machine_as_test(
        lambda: ProcessingBooks(ledger, store),
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
