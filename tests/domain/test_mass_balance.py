"""Mass balance from planting to processing, driven at random through the services
(hypothesis state machine).

Each run sets up a cultivator that may run processing jobs, then takes random steps, each one
transaction as a request is: plantings (a batch, its plants tagged into flowering), harvests
of plants (wet weights in grams, ounces, pounds or kilograms, into a new harvest or one of
the same day), harvest waste, harvests finished and reopened, packages from harvests,
packages from packages (splits), adjustments (up and down, with a listed reason), processing
jobs started on a package, packages made by a job, jobs finished with waste, reopened and
archived. A model predicts what each step does
(with the ledger's own conversion, `harvests.in_unit`); an allowed step must succeed and a
refused one (a draw larger than what is there, an adjustment below zero) must change nothing.
After every step, exactly (Decimals) and in each record's own unit:

- each planting: all its plants tagged, and those not yet cut still flowering;
- each harvest: wet weight = the plants' weights; waste = its waste records; packaged = what
  its packages drew from it; current = wet - waste - packaged; its plant and package counts
  and whether it is finished; each as the model says;
- each package: quantity = what it was made with + its adjustments - what packages and jobs
  drew from it; as the model says;
- each job, in each quantity type's base unit: taken in = its inputs, packaged = its output
  packages, taken in = packaged + waste + remaining; finished and archived as the model says;
- nothing is negative;
- over the facility, per harvest unit: what was harvested = what the harvests still hold +
  their waste + what packages drew.

It runs on the suite's database (SQLite, or PostgreSQL with LEAFLEDGER_TEST_DATABASE_URL);
the numbers of runs and steps are bounded to stay well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    HarvestPlant,
    HarvestWaste,
    Package,
    PackageAdjustment,
    PackageSource,
    Plant,
    PlantBatch,
    ProcessingJob,
    ProcessingJobInput,
    Strain,
    Tag,
)
from leafledger.domain.services import (
    harvests,
    package_inventory,
    packages,
    plant_batches,
    processing,
)
from leafledger.domain.services.harvests import in_unit
from leafledger.domain.services.processing_types import JobTypeFields, create_job_type
from leafledger.domain.units import QuantityType, get_unit, to_base
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import allow

ZERO = Decimal(0)
WEIGHTS = ("Grams", "Ounces", "Pounds", "Kilograms")
KINDS = {QuantityType.COUNT: "count", QuantityType.VOLUME: "volume", QuantityType.WEIGHT: "weight"}

weights = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(900), places=2)
shares = st.sampled_from((Decimal("0.1"), Decimal("0.5"), Decimal(1), Decimal("1.5")))


@dataclass
class HarvestModel:
    harvest_id: int
    name: str
    unit: str
    wet: Decimal = ZERO
    waste: Decimal = ZERO
    packaged: Decimal = ZERO
    finished: bool = False
    plants: set[str] = field(default_factory=set)
    packages: int = 0

    @property
    def current(self) -> Decimal:
        return self.wet - self.waste - self.packaged


@dataclass
class PackageModel:
    label: str
    unit: str
    quantity: Decimal


@dataclass
class JobModel:
    job_id: int
    name: str
    taken: Decimal  # grams
    packaged: Decimal = ZERO
    waste: Decimal = ZERO
    finished: bool = False
    archived: bool = False
    outputs: list[str] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.taken - self.packaged - self.waste


def _part(total: Decimal, share: Decimal, unit_from: str, unit_to: str) -> Decimal:
    """About `share` of `total` (in `unit_from`), in `unit_to`, to two places (at least 0.01)."""
    value = in_unit(total, unit_from, unit_to) * share
    return max(value.quantize(Decimal("0.01"), rounding=ROUND_DOWN), Decimal("0.01"))


class MassBalance(RuleBasedStateMachine):
    def __init__(self, ledger: Ledger, store: Store) -> None:
        super().__init__()
        self.store = store
        self.grow = grow = Grow.start(ledger, store)
        allow(store, grow.facility.id, "CanRecordProcessingJobs")
        self.facility_id = grow.facility.id
        self.item = grow.item()
        self.tags = grow.package_tags(80)
        self.flowering: list[str] = []
        self.batches: dict[str, int] = {}  # name: plants planted (all tagged into flowering)
        self.harvests: dict[int, HarvestModel] = {}
        self.packages: dict[str, PackageModel] = {}
        self.jobs: dict[int, JobModel] = {}
        with store.read() as session:
            strain = session.get(Strain, grow.strain_id)
            assert strain is not None
            self.strain = strain.name
            self.given_batches = set(  # the grow's own, left as they are
                session.scalars(
                    select(PlantBatch.name).where(PlantBatch.facility_id == self.facility_id)
                )
            )
        with store.transaction() as session:
            fields = JobTypeFields(name=unique("Rolling"), category="Processing")
            self.job_type = create_job_type(session, CLI, self._facility(session), fields).name

    def _facility(self, session: Any) -> Facility:
        found = session.get(Facility, self.facility_id)
        assert found is not None
        return found

    def _apply(self, allowed: bool, call: Callable[[Any, Facility], Any]) -> Any:
        """One step, one transaction: an allowed step succeeds, a refused one changes
        nothing."""
        before = self._snapshot()
        try:
            with self.store.transaction() as session:
                result = call(session, self._facility(session))
                session.flush()  # as a request's handler does: new rows get their ids
                made = getattr(result, "id", True)
        except RuleViolation as exc:
            assert not allowed, f"refused an allowed step: {exc}"
            assert self._snapshot() == before
            return None
        assert allowed, "allowed a step the rules refuse"
        return made

    def _snapshot(self) -> tuple[Any, ...]:
        with self.store.read() as session:
            harvest_rows = session.execute(
                select(
                    Harvest.id,
                    Harvest.current_weight,
                    Harvest.total_waste_weight,
                    Harvest.finished_date,
                )
                .where(Harvest.facility_id == self.facility_id)
                .order_by(Harvest.id)
            ).all()
            package_rows = session.execute(
                select(Package.label, Package.quantity)
                .where(Package.facility_id == self.facility_id)
                .order_by(Package.id)
            ).all()
            sources = session.scalar(
                select(func.count())
                .select_from(PackageSource)
                .where(PackageSource.facility_id == self.facility_id)
            )
            job_rows = session.execute(
                select(
                    ProcessingJob.id,
                    ProcessingJob.finished_date,
                    ProcessingJob.active,
                    ProcessingJob.waste_weight,
                )
                .where(ProcessingJob.facility_id == self.facility_id)
                .order_by(ProcessingJob.id)
            ).all()
        return tuple(harvest_rows), tuple(package_rows), sources, tuple(job_rows)

    # --- plantings and harvests

    @precondition(lambda self: len(self.flowering) < 3)
    @rule(count=st.integers(1, 4))
    def planting(self, count: int) -> None:
        name = unique("Batch")
        first = self._plant_tags(count)

        def call(session: Any, facility: Facility) -> Any:
            planting = plant_batches.Planting(
                name=name, batch_type="Clone", count=count, strain=self.strain,
                location=self.grow.location,
            )  # fmt: skip
            plant_batches.plant(session, CLI, facility, planting)
            session.flush()
            change = plant_batches.GrowthPhaseChange(
                batch=name, count=count, starting_tag=first, growth_phase="Flowering",
                location=self.grow.location,
            )  # fmt: skip
            return plant_batches.change_growth_phase(session, CLI, facility, change)

        assert self._apply(True, call) is not None
        self.batches[name] = count
        prefix = first[:-3]
        self.flowering += [f"{prefix}{n:03d}" for n in range(1, count + 1)]

    def _plant_tags(self, count: int) -> str:
        prefix = unique("1A4MB").replace("-", "X") + "N"
        with self.store.transaction() as session:
            for n in range(1, count + 1):
                session.add(
                    Tag(
                        facility_id=self.facility_id,
                        label=f"{prefix}{n:03d}",
                        kind="Plant",
                        tag_type_name="CannabisPlant",
                    )
                )
        return f"{prefix}001"

    @precondition(lambda self: bool(self.flowering))
    @rule(data=st.data(), weight=weights, unit=st.sampled_from(WEIGHTS))
    def harvest(self, data: Any, weight: Decimal, unit: str) -> None:
        plant = data.draw(st.sampled_from(self.flowering))
        open_ones = [h for h in self.harvests.values() if not h.finished]
        into = data.draw(st.sampled_from([None, *open_ones]))
        name = unique("Harvest") if into is None else into.name
        cut = harvests.PlantCut(
            plant=plant,
            weight=weight,
            unit_of_weight=unit,
            drying_location=self.grow.location,
            harvest_name=name,
        )
        made = self._apply(True, lambda s, f: harvests.harvest_plant(s, CLI, f, cut))
        self.flowering.remove(plant)
        if into is None:
            into = self.harvests[made] = HarvestModel(made, name, unit)
        into.wet += in_unit(weight, unit, into.unit)
        into.plants.add(plant)

    @precondition(lambda self: bool(self.harvests))
    @rule(data=st.data())
    def finish_or_unfinish_harvest(self, data: Any) -> None:
        """Finish an open harvest, or reopen a finished one; the other way round is refused.
        A finished harvest takes no waste and gives no package until it is reopened."""
        model = data.draw(st.sampled_from(list(self.harvests.values())))
        mistaken = data.draw(st.booleans())  # finish a finished one, or reopen an open one
        finishing = model.finished == mistaken
        allowed = not mistaken
        if finishing:
            finish = harvests.FinishHarvest(model.harvest_id)
            call = lambda s, f: harvests.finish_harvest(s, CLI, f, finish)  # noqa: E731
        else:
            reopen = harvests.UnfinishHarvest(model.harvest_id)
            call = lambda s, f: harvests.unfinish_harvest(s, CLI, f, reopen)  # noqa: E731
        if self._apply(allowed, call):
            model.finished = finishing

    @precondition(lambda self: bool(self.harvests))
    @rule(data=st.data(), share=shares, unit=st.sampled_from(WEIGHTS))
    def harvest_waste(self, data: Any, share: Decimal, unit: str) -> None:
        model = data.draw(st.sampled_from(list(self.harvests.values())))
        weight = _part(max(model.current, Decimal("0.01")), share, model.unit, unit)
        drawn = in_unit(weight, unit, model.unit)
        allowed = not model.finished and ZERO < drawn <= model.current
        command = harvests.RecordWaste(model.harvest_id, "Plant Material", weight, unit)
        if self._apply(allowed, lambda s, f: harvests.record_waste(s, CLI, f, command)):
            model.waste += drawn

    @precondition(lambda self: bool(self.harvests) and bool(self.tags))
    @rule(data=st.data(), share=shares, unit=st.sampled_from(WEIGHTS))
    def package_from_harvest(self, data: Any, share: Decimal, unit: str) -> None:
        model = data.draw(st.sampled_from(list(self.harvests.values())))
        weight = _part(max(model.current, Decimal("0.01")), share, model.unit, unit)
        drawn = in_unit(weight, unit, model.unit)
        allowed = not model.finished and ZERO < drawn <= model.current
        tag = self.tags[-1]
        command = packages.HarvestPackage(
            tag=tag,
            item=self.item,
            location=self.grow.location,
            unit_of_weight=unit,
            ingredients=[packages.Ingredient(weight, unit, harvest_id=model.harvest_id)],
        )
        call = lambda s, f: packages.create_package_from_harvests(s, CLI, f, command)  # noqa: E731
        if self._apply(allowed, call):
            self.tags.pop()
            model.packaged += drawn
            model.packages += 1
            self.packages[tag] = PackageModel(tag, unit, weight)

    # --- packages

    def _pick(self, data: Any) -> PackageModel:
        return data.draw(st.sampled_from(sorted(self.packages.values(), key=lambda p: p.label)))

    @precondition(lambda self: bool(self.packages) and bool(self.tags))
    @rule(data=st.data(), share=shares, unit=st.sampled_from(WEIGHTS))
    def split(self, data: Any, share: Decimal, unit: str) -> None:
        source = self._pick(data)
        quantity = _part(max(source.quantity, Decimal("0.01")), share, source.unit, unit)
        drawn = in_unit(quantity, unit, source.unit)
        allowed = ZERO < drawn <= source.quantity
        tag = self.tags[-1]
        command = packages.DerivedPackage(
            tag=tag,
            item=self.item,
            location=self.grow.location,
            quantity=quantity,
            unit_of_measure=unit,
            ingredients=[packages.PackageIngredient(source.label, quantity, unit)],
        )
        call = lambda s, f: packages.create_package_from_packages(s, CLI, f, command)  # noqa: E731
        if self._apply(allowed, call):
            self.tags.pop()
            source.quantity -= drawn
            self.packages[tag] = PackageModel(tag, unit, quantity)

    @precondition(lambda self: bool(self.packages))
    @rule(data=st.data(), share=shares, down=st.booleans(), unit=st.sampled_from(WEIGHTS))
    def adjust(self, data: Any, share: Decimal, down: bool, unit: str) -> None:
        target = self._pick(data)
        size = _part(max(target.quantity, Decimal("0.01")), share, target.unit, unit)
        change = in_unit(size, unit, target.unit)
        allowed = change > 0 and (not down or change <= target.quantity)
        command = package_inventory.Adjustment(
            label=target.label,
            quantity=-size if down else size,
            unit_of_measure=unit,
            reason="Scale Variance",
        )
        if self._apply(allowed, lambda s, f: package_inventory.adjust_package(s, CLI, f, command)):
            target.quantity += -change if down else change

    # --- processing jobs (their books are kept in grams)

    @precondition(lambda self: bool(self.packages))
    @rule(data=st.data(), share=shares)
    def start_job(self, data: Any, share: Decimal) -> None:
        source = self._pick(data)
        quantity = _part(max(source.quantity, Decimal("0.01")), share, source.unit, source.unit)
        allowed = ZERO < quantity <= source.quantity
        name = unique("Job")
        command = processing.JobStart(
            name=name,
            job_type=self.job_type,
            weight_unit="Grams",
            packages=[processing.JobPackage(source.label, quantity, source.unit)],
        )
        made = self._apply(allowed, lambda s, f: processing.start_job(s, CLI, f, command))
        if made:
            source.quantity -= quantity
            self.jobs[made] = JobModel(made, name, to_base(quantity, source.unit))

    @precondition(lambda self: any(not j.finished for j in self.jobs.values()) and self.tags)
    @rule(data=st.data(), share=shares)
    def job_package(self, data: Any, share: Decimal) -> None:
        job = data.draw(st.sampled_from([j for j in self.jobs.values() if not j.finished]))
        quantity = _part(max(job.remaining, Decimal("0.01")), share, "Grams", "Grams")
        allowed = not job.archived and quantity <= job.remaining
        tag = self.tags[-1]
        command = processing.JobOutput(
            job_name=job.name, tag=tag, item=self.item, quantity=quantity,
            unit_of_measure="Grams",
        )  # fmt: skip
        if self._apply(allowed, lambda s, f: processing.create_job_package(s, CLI, f, command)):
            self.tags.pop()
            job.packaged += quantity
            job.outputs.append(tag)
            self.packages[tag] = PackageModel(tag, "Grams", quantity)

    @precondition(lambda self: any(not j.finished for j in self.jobs.values()))
    @rule(data=st.data(), share=shares)
    def finish_job(self, data: Any, share: Decimal) -> None:
        job = data.draw(st.sampled_from([j for j in self.jobs.values() if not j.finished]))
        waste = _part(max(job.remaining, Decimal("0.01")), share, "Grams", "Grams")
        allowed = not job.archived and waste <= job.remaining

        def call(session: Any, facility: Facility) -> Any:
            command = processing.JobFinish(
                job=session.get(ProcessingJob, job.job_id),
                waste_weight=waste,
                waste_weight_unit="Grams",
            )
            return processing.finish_job(session, CLI, facility, command)

        if self._apply(allowed, call):
            job.finished, job.waste = True, waste

    @precondition(lambda self: bool(self.jobs))
    @rule(data=st.data())
    def unfinish_job(self, data: Any) -> None:
        """Reopen a job: its waste is taken back into what it holds. Refused for a job that is
        open or archived."""
        reopenable = [j for j in self.jobs.values() if j.finished and not j.archived]
        mistaken = data.draw(st.booleans()) or not reopenable  # any job, perhaps one open
        job = data.draw(st.sampled_from(list(self.jobs.values()) if mistaken else reopenable))
        allowed = job.finished and not job.archived

        def call(session: Any, facility: Facility) -> Any:
            named = processing.JobNamed(session.get(ProcessingJob, job.job_id))
            return processing.unfinish_job(session, CLI, facility, named)

        if self._apply(allowed, call):
            job.finished, job.waste = False, ZERO

    @precondition(lambda self: bool(self.jobs))
    @rule(data=st.data())
    def archive_job(self, data: Any) -> None:
        """Archive a job for good: refused while it is open and still holds something."""
        job = data.draw(st.sampled_from(list(self.jobs.values())))
        allowed = not job.archived and (job.finished or job.remaining == 0)

        def call(session: Any, facility: Facility) -> Any:
            found = session.get(ProcessingJob, job.job_id)
            return processing.archive_job(session, CLI, facility, found)

        if self._apply(allowed, call):
            job.archived = True

    # --- what must hold after every step

    @invariant()
    def everything_balances_exactly_and_nothing_is_negative(self) -> None:
        fid = self.facility_id
        with self.store.read() as session:
            stored_harvests = {
                h.id: h for h in session.scalars(select(Harvest).where(Harvest.facility_id == fid))
            }
            plants = session.scalars(
                select(HarvestPlant).where(HarvestPlant.facility_id == fid)
            ).all()
            wastes = session.scalars(
                select(HarvestWaste).where(HarvestWaste.facility_id == fid)
            ).all()
            sources = session.scalars(
                select(PackageSource).where(PackageSource.facility_id == fid)
            ).all()
            stored = {
                p.id: p for p in session.scalars(select(Package).where(Package.facility_id == fid))
            }
            adjustments = session.scalars(
                select(PackageAdjustment).where(PackageAdjustment.facility_id == fid)
            ).all()
            inputs = session.scalars(
                select(ProcessingJobInput).where(ProcessingJobInput.facility_id == fid)
            ).all()
            jobs = {
                j.id: j
                for j in session.scalars(
                    select(ProcessingJob).where(ProcessingJob.facility_id == fid)
                )
            }
            batches = {
                b.name: b
                for b in session.scalars(select(PlantBatch).where(PlantBatch.facility_id == fid))
            }
            growing = session.execute(
                select(Plant.label, Plant.harvested_date, PlantBatch.name)
                .join(PlantBatch, Plant.plant_batch_id == PlantBatch.id)
                .where(Plant.facility_id == fid)
            ).all()

        # Plants: every one planted is tagged, and those not yet cut are still flowering.
        assert set(batches) == set(self.batches) | self.given_batches
        for name, planted in self.batches.items():
            assert batches[name].untracked_count == 0
            assert batches[name].tracked_count == planted
            assert sum(1 for _, _, of in growing if of == name) == planted
        uncut = {label for label, cut, of in growing if cut is None and of in self.batches}
        assert uncut == set(self.flowering)

        # Harvests, in each harvest's unit.
        assert set(stored_harvests) == set(self.harvests)
        harvested: dict[str, Decimal] = {}
        held: dict[str, Decimal] = {}
        for harvest_id, harvest in stored_harvests.items():
            model = self.harvests[harvest_id]
            wet = sum((p.wet_weight for p in plants if p.harvest_id == harvest_id), ZERO)
            waste = sum((w.weight for w in wastes if w.harvest_id == harvest_id and w.active), ZERO)
            drawn = [s for s in sources if s.source_harvest_id == harvest_id]
            assert all(s.unit_of_measure_name == harvest.unit_of_weight_name for s in drawn)
            packaged = sum((s.quantity for s in drawn), ZERO)
            assert harvest.unit_of_weight_name == model.unit
            assert harvest.total_wet_weight == wet == model.wet
            assert harvest.total_waste_weight == waste == model.waste
            assert harvest.total_packaged_weight == packaged == model.packaged
            assert harvest.current_weight == wet - waste - packaged == model.current
            assert (harvest.finished_date is not None) == model.finished
            cut_into = {p.plant_id for p in plants if p.harvest_id == harvest_id}
            assert harvest.plant_count == len(cut_into) == len(model.plants)
            assert harvest.package_count == len(drawn) == model.packages
            assert min(wet, waste, packaged, harvest.current_weight) >= 0
            unit = harvest.unit_of_weight_name
            harvested[unit] = harvested.get(unit, ZERO) + wet
            held[unit] = held.get(unit, ZERO) + harvest.current_weight + waste + packaged
        assert harvested == held

        # Packages, in each package's unit.
        by_label = {p.label: p for p in stored.values()}
        assert set(by_label) == set(self.packages)
        for package_id, package in stored.items():
            model = self.packages[package.label]
            adjusted = sum((a.quantity for a in adjustments if a.package_id == package_id), ZERO)
            drawn_by_packages = [s for s in sources if s.source_package_id == package_id]
            assert all(
                s.unit_of_measure_name == package.unit_of_measure_name for s in drawn_by_packages
            )
            drawn = sum((s.quantity for s in drawn_by_packages), ZERO)
            taken = sum((i.quantity for i in inputs if i.package_id == package_id), ZERO)
            assert package.unit_of_measure_name == model.unit
            assert package.quantity == package.original_quantity + adjusted - drawn - taken
            assert package.quantity == model.quantity >= 0
            assert package.original_quantity >= 0

        # Jobs, in grams (their books' base unit for weight).
        assert set(jobs) == set(self.jobs)
        for job_id, job in jobs.items():
            model = self.jobs[job_id]
            consumed = sum((i.amount for i in inputs if i.job_id == job_id), ZERO)
            outputs = [s for s in sources if s.source_processing_job_id == job_id]
            made = sum(
                (to_base(s.quantity, get_unit(s.unit_of_measure_name)) for s in outputs), ZERO
            )
            assert job.consumed_weight == consumed == model.taken
            assert job.packaged_weight == made == model.packaged
            assert job.waste_weight == model.waste
            remaining = job.consumed_weight - job.packaged_weight - job.waste_weight
            assert job.consumed_weight == job.packaged_weight + job.waste_weight + remaining
            assert min(consumed, made, job.waste_weight, remaining) >= 0
            assert (job.finished_date is not None) == model.finished
            assert job.active == (not model.archived)
            for kind in (QuantityType.COUNT, QuantityType.VOLUME):
                assert getattr(job, f"consumed_{KINDS[kind]}") == 0


def test_random_inventory_keeps_mass_balance_exactly(ledger: Ledger, store: Store) -> None:
    run_state_machine_as_test(
        lambda: MassBalance(ledger, store),
        settings=settings(
            max_examples=10,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
