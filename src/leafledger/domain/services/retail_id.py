"""Retail ID: QR codes on the units of a package, each resolving to the public information of
its product (domain/queries/retail_id.py reads them; models/retail_id.py keeps them).

Short codes. A generated code's short code is SHORT_CODE_LENGTH characters drawn at random
(`secrets`) from ALPHABET, Crockford's base 32 (digits and capital letters without I, L, O
and U, which read as other characters): 80 random bits, so a code cannot be guessed from
another or found by trying. Every short code is unique in the ledger. The QR code of a unit
holds the code's URL, `<resolver>/<short code>`, where the resolver is the public address of
this server's RESOLVER_PATH (`LEAFLEDGER_RETAIL_ID_URL`); the URL is kept with the code when
it is made, so a printed label stays valid if the setting later changes.

Operations, each refused (naming the field at fault) before anything changes:

- generate: `quantity` new codes for one package, within the facility's allotment (what it may
  still generate: DEFAULT_ALLOTMENT in all unless its allotment row says otherwise), at most
  MAX_CODES_PER_GENERATION at once and, for a package counted in units (Each), at most as
  many as the units it holds. The codes form one issuance, numbered per package (its label
  set) and per facility (serials). The package must be active (not discontinued, not
  finished) and not a lab sample.
- associate: codes printed elsewhere, given by URL, put on a package of the facility. The
  short code of a URL is the first segment of its path (Metrc's rule), or the segment after
  the resolver for URLs of this server. A code already in the ledger moves to the package
  (it is "replaced"), if it is held at this facility; a code held by another facility is
  refused.
- merge: the packages' first is the target, every other one a source. Each source's quantity
  moves into the target as two package adjustments for MERGE_REASON (the source emptied,
  the target raised by the same quantity in its own unit), and its codes move to the target.
  The packages must be distinct, changeable and not on hold, of the same item and in the
  same lab testing state, so that every code still tells the truth about its unit.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import (
    Facility,
    Item,
    Package,
    RetailIdAllotment,
    RetailIdCode,
    RetailIdIssuance,
)
from leafledger.domain.reference import PACKAGE_ADJUSTMENT_REASONS
from leafledger.domain.services.audit import record, record_created, record_new, snapshot
from leafledger.domain.services.package_inventory import Adjustment, adjust_package
from leafledger.domain.services.package_stock import check_changeable, check_drawable
from leafledger.domain.units import QuantityType, find_unit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_LENGTH = 16
ISSUANCE_ID_BYTES = 12  # issuance ids: 24 hexadecimal digits
DEFAULT_ALLOTMENT = 50_000
MAX_CODES_PER_GENERATION = 1_000
MAX_URLS_PER_PACKAGE = 1_000
GENERATED, ASSOCIATED = "Generated", "Associated"
MERGE_REASON = next(r.name for r in PACKAGE_ADJUSTMENT_REASONS if "Merge" in r.name.split())

RESOLVER_PATH = "/leafledger/v1/retailid"
RESOLVER_SETTING = "LEAFLEDGER_RETAIL_ID_URL"
DEFAULT_RESOLVER = "http://127.0.0.1:8000" + RESOLVER_PATH
# The characters a short code of any origin may hold (other providers' codes mix cases).
SHORT_CODE_CHARACTERS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
)


def resolver() -> str:
    """Where this server's RESOLVER_PATH is reached from outside, without a trailing slash."""
    return (os.environ.get(RESOLVER_SETTING) or DEFAULT_RESOLVER).strip().rstrip("/")


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def short_code_of(url: str) -> str | None:
    """The short code a QR code URL names, or None if it names none: the first segment of
    its path, or for a URL of this server's resolver the segment after it. A URL may leave
    out its scheme (`id.example.com/CODE`)."""
    text = url.strip()
    path = urlsplit(text if "://" in text else f"https://{text}").path
    base = resolver()
    if text.startswith(base + "/"):
        path = path.removeprefix(urlsplit(base).path)
    segment = path.strip("/").split("/")[0]
    if not segment or len(segment) > 64 or not set(segment) <= SHORT_CODE_CHARACTERS:
        return None
    return segment


def _labelable(package: Package, field: str | FieldPath) -> None:
    """Refuse codes for a package whose units cannot reach a consumer as they are."""
    check_changeable(package, field)
    if package.is_testing_sample:
        raise RuleViolation(
            f"Package {package.label} is a lab sample; its units take no Retail ID.", field=field
        )


def units_held(package: Package) -> int | None:
    """How many units a package counted in units holds (None: it is weighed or measured)."""
    unit = find_unit(package.unit_of_measure_name)
    if unit is None or unit.quantity_type is not QuantityType.COUNT:
        return None
    return int(package.quantity)


def _allotment(session: Session, actor: Actor, facility: Facility) -> RetailIdAllotment:
    """The facility's allotment row, locked (made with the default grant on first use)."""
    found = session.scalars(
        select(RetailIdAllotment)
        .where(RetailIdAllotment.facility_id == facility.id)
        .with_for_update()
    ).first()
    if found is None:
        found = RetailIdAllotment(facility_id=facility.id, granted=DEFAULT_ALLOTMENT, generated=0)
        record_new(session, actor, found, facility.id)
    return found


def _unused_short_codes(session: Session, count: int) -> list[str]:
    """`count` new short codes, none of which the ledger holds (one statement per draw; a
    second draw is needed only if a code of the first is taken, once in 2^80 or so)."""
    found: list[str] = []
    while len(found) < count:
        drawn = list(dict.fromkeys(new_short_code() for _ in range(count - len(found))))
        taken = set(
            session.scalars(
                select(RetailIdCode.short_code).where(RetailIdCode.short_code.in_(drawn))
            )
        )
        found += [code for code in drawn if code not in taken and code not in found]
    return found


# --- generate --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeGeneration:
    """`quantity` new codes for the units of `package`."""

    package: Package
    quantity: int


@dataclass(frozen=True)
class Generation:
    """What a generation made: its issuance and its codes, in serial order (and the name of
    the package's item, which labels show)."""

    package: Package
    item_name: str
    issuance: RetailIdIssuance
    codes: list[RetailIdCode]


def generate_codes(
    session: Session, actor: Actor, facility: Facility, command: CodeGeneration
) -> Generation:
    """An issuance of new codes for a package's units, taken from the facility's allotment."""
    package, quantity = command.package, command.quantity
    _labelable(package, "package")
    if not 1 <= quantity <= MAX_CODES_PER_GENERATION:
        raise RuleViolation(
            f"{{field}} must be from 1 to {MAX_CODES_PER_GENERATION}, got {quantity}.",
            field="quantity",
        )
    units = units_held(package)
    if units is not None and quantity > units:
        raise RuleViolation(
            f"{{field}} {quantity} is more codes than the {units} units package "
            f"{package.label} holds.",
            field="quantity",
        )
    allotment = _allotment(session, actor, facility)
    remaining = allotment.granted - allotment.generated
    if quantity > remaining:
        raise RuleViolation(
            f"The facility may generate {remaining} more code(s); {{field}} {quantity} is over "
            "its allotment.",
            field="quantity",
        )
    label_set = session.scalar(
        select(func.count())
        .select_from(RetailIdIssuance)
        .where(RetailIdIssuance.package_id == package.id)
    )
    first = allotment.generated + 1
    issuance = RetailIdIssuance(
        facility_id=facility.id,
        package_id=package.id,
        public_id=secrets.token_hex(ISSUANCE_ID_BYTES),
        label_set=int(label_set or 0),
        quantity=quantity,
        first_serial=first,
        last_serial=first + quantity - 1,
    )
    record_new(session, actor, issuance, facility.id)
    base = resolver()
    codes = [
        RetailIdCode(
            facility_id=facility.id,
            package_id=package.id,
            issuance_id=issuance.id,
            short_code=short_code,
            url=f"{base}/{short_code}",
            serial=first + index,
            origin=GENERATED,
        )
        for index, short_code in enumerate(_unused_short_codes(session, quantity))
    ]
    session.add_all(codes)
    for code in codes:
        record_created(session, actor, code, "generate", facility.id)
    before = snapshot(allotment)
    allotment.generated += quantity
    session.flush()
    record(
        session,
        actor,
        entity=allotment,
        action="generate",
        facility_id=facility.id,
        before=before,
        after=snapshot(allotment),
    )
    item = session.get(Item, package.item_id)
    return Generation(package, "" if item is None else item.name, issuance, codes)


# --- moving codes between packages -----------------------------------------------------------


def _move_codes(
    session: Session, actor: Actor, codes: Sequence[RetailIdCode], package: Package, action: str
) -> None:
    """Put `codes` on `package` (of the same facility), each move audited; one flush for all."""
    befores = [snapshot(code) for code in codes]
    for code in codes:
        code.package_id = package.id
    session.flush()
    for code, before in zip(codes, befores, strict=True):
        record(
            session,
            actor,
            entity=code,
            action=action,
            facility_id=code.facility_id,
            before=before,
            after=snapshot(code),
        )


# --- associate -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAssociation:
    """Codes printed elsewhere (their URLs) put on the units of `package`."""

    package: Package
    qr_urls: tuple[str, ...]


def associate_codes(
    session: Session, actor: Actor, facility: Facility, command: CodeAssociation
) -> Package:
    """Put the codes of `qr_urls` on a package: new ones are added, known ones of this facility
    move to it."""
    package = command.package
    _labelable(package, "package")
    urls = command.qr_urls
    if not 1 <= len(urls) <= MAX_URLS_PER_PACKAGE:
        raise RuleViolation(
            f"{{field}} must list from 1 to {MAX_URLS_PER_PACKAGE} URLs, got {len(urls)}.",
            field="qr_urls",
        )
    wanted: dict[str, str] = {}
    for index, url in enumerate(urls):
        short_code = short_code_of(url)
        if short_code is None:
            raise RuleViolation(f"{url!r} names no Retail ID short code.", field=("qr_urls", index))
        if short_code in wanted:
            raise RuleViolation(f"The code {short_code} is listed twice.", field=("qr_urls", index))
        wanted[short_code] = url.strip()
    known = {
        code.short_code: code
        for code in session.scalars(
            select(RetailIdCode).where(RetailIdCode.short_code.in_(list(wanted))).with_for_update()
        )
    }
    for index, short_code in enumerate(wanted):
        code = known.get(short_code)
        if code is not None and code.facility_id != facility.id:
            raise RuleViolation(
                f"The code {short_code} is held by another facility.", field=("qr_urls", index)
            )
    moving = [code for code in known.values() if code.package_id != package.id]
    _move_codes(session, actor, moving, package, "associate")
    added = [
        RetailIdCode(
            facility_id=facility.id,
            package_id=package.id,
            short_code=short_code,
            url=url,
            origin=ASSOCIATED,
        )
        for short_code, url in wanted.items()
        if short_code not in known
    ]
    session.add_all(added)
    for code in added:
        record_created(session, actor, code, "associate", facility.id)
    return package


# --- merge -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageMerge:
    """The target package first, then each package merged into it."""

    packages: tuple[Package, ...]


def _locked(session: Session, packages: Sequence[Package]) -> None:
    """Lock the rows of `packages` (and read them again, as the lock found them)."""
    session.scalars(
        select(Package)
        .where(Package.id.in_(sorted({package.id for package in packages})))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _check_mergeable(packages: Sequence[Package]) -> None:
    if len(packages) < 2:
        raise RuleViolation(
            "{field} must name the target package and at least one package to merge into it.",
            field="packages",
        )
    target = packages[0]
    seen: set[int] = set()
    for index, package in enumerate(packages):
        field = ("packages", index)
        if package.id in seen:
            raise RuleViolation(f"Package {package.label} is named twice.", field=field)
        seen.add(package.id)
        check_drawable(package, field)
        _labelable(package, field)
        if package.item_id != target.item_id:
            raise RuleViolation(
                f"Package {package.label} holds another item than the target {target.label}.",
                field=field,
            )
        if package.lab_testing_state != target.lab_testing_state:
            raise RuleViolation(
                f"Package {package.label} is {package.lab_testing_state} in lab testing, the "
                f"target {target.label} {target.lab_testing_state}.",
                field=field,
            )


def merge_packages(
    session: Session, actor: Actor, facility: Facility, command: PackageMerge
) -> list[Package]:
    """Merge every source package into the target: its quantity and its codes."""
    packages = command.packages
    if packages:
        _locked(session, packages)
    _check_mergeable(packages)
    target, sources = packages[0], packages[1:]
    for source in sources:
        held: Decimal = source.quantity
        if held > 0:
            unit = source.unit_of_measure_name
            for package, change, note in (
                (source, -held, f"Merged into package {target.label}."),
                (target, held, f"Merged from package {source.label}."),
            ):
                adjust_package(
                    session,
                    actor,
                    facility,
                    Adjustment(package.label, change, unit, MERGE_REASON, note=note),
                )
        codes = session.scalars(
            select(RetailIdCode).where(RetailIdCode.package_id == source.id).with_for_update()
        ).all()
        _move_codes(session, actor, codes, target, "merge")
    return list(packages)
