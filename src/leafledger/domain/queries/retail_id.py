"""Retail ID, as both the integrator endpoints and the public resolver read it.

- `allotment`: what a facility may still generate (one statement).
- `received`: the codes packages hold (URLs, serial ranges) and their sibling packages, for any
  number of packages in two statements: the packages with their codes, and the siblings.
- `summaries`: how many codes packages hold, their issuances and siblings (three statements
  whatever the number of packages or codes).
- `public_label`: what anyone who scans a code may know of its unit (one statement): the
  product (item name, category, strain, brand), the package label, its dates and its lab
  testing state; never an internal id, a quantity, a place or a note.
- `issued_sheet`: the codes of one issuance, to print (one statement).

Siblings. Two packages are siblings when one issuance of codes relates them: it was generated
for one of them, or one of them holds some of its codes (a merge or an association moved
them). The codes on the units of a package with siblings cannot be told from the package
alone, so such a package requires verification (its units are scanned to know which codes it
holds): that is what RequiresVerification answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from leafledger.domain.models import (
    Facility,
    Item,
    ItemBrand,
    Package,
    RetailIdAllotment,
    RetailIdCode,
    RetailIdIssuance,
    Strain,
)
from leafledger.domain.services.retail_id import DEFAULT_ALLOTMENT, units_held

# --- allotment -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allotment:
    facility: Facility
    remaining: int


def allotment(session: Session, facility: Facility) -> Allotment:
    """How many more codes the facility may generate."""
    found = session.execute(
        select(RetailIdAllotment.granted, RetailIdAllotment.generated).where(
            RetailIdAllotment.facility_id == facility.id
        )
    ).first()
    remaining = DEFAULT_ALLOTMENT if found is None else found.granted - found.generated
    return Allotment(facility, max(remaining, 0))


# --- siblings --------------------------------------------------------------------------------


def siblings(session: Session, package_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    """The labels of each package's siblings (see the module docstring), in one statement."""
    wanted = sorted(set(package_ids))
    found: dict[int, list[str]] = {package_id: [] for package_id in wanted}
    if not wanted:
        return {}
    related = union(
        select(RetailIdCode.package_id.label("root"), RetailIdCode.issuance_id).where(
            RetailIdCode.package_id.in_(wanted), RetailIdCode.issuance_id.is_not(None)
        ),
        select(RetailIdIssuance.package_id, RetailIdIssuance.id).where(
            RetailIdIssuance.package_id.in_(wanted)
        ),
    ).cte("related")
    issuances = select(related.c.issuance_id)
    members = union(
        select(RetailIdCode.issuance_id, RetailIdCode.package_id).where(
            RetailIdCode.issuance_id.in_(issuances)
        ),
        select(RetailIdIssuance.id, RetailIdIssuance.package_id).where(
            RetailIdIssuance.id.in_(issuances)
        ),
    ).cte("members")
    rows = session.execute(
        select(related.c.root, Package.label)
        .distinct()
        .join(members, members.c.issuance_id == related.c.issuance_id)
        .join(Package, Package.id == members.c.package_id)
        .where(members.c.package_id != related.c.root)
        .order_by(related.c.root, Package.label)
    )
    for root, label in rows:
        found[root].append(label)
    return {package_id: tuple(labels) for package_id, labels in found.items()}


def ranges(serials: Sequence[int]) -> list[tuple[int, int]]:
    """Serial numbers as runs of consecutive ones: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for serial in sorted(serials):
        if runs and serial == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], serial)
        else:
            runs.append((serial, serial))
    return runs


# --- what a package holds --------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """The codes one package holds, in the order they were made, and its siblings."""

    label: str
    urls: tuple[str, ...]
    serials: tuple[int, ...]
    sibling_labels: tuple[str, ...]

    @property
    def requires_verification(self) -> bool:
        return bool(self.sibling_labels)


def received(session: Session, package_ids: Sequence[int]) -> list[Received]:
    """What each package holds, in the order of `package_ids` (two statements)."""
    wanted = sorted(set(package_ids))
    rows = session.execute(
        select(Package.id, Package.label, RetailIdCode.url, RetailIdCode.serial)
        .outerjoin(RetailIdCode, RetailIdCode.package_id == Package.id)
        .where(Package.id.in_(wanted))
        .order_by(Package.id, RetailIdCode.id)
    )
    labels: dict[int, str] = {}
    urls: dict[int, list[str]] = {}
    serials: dict[int, list[int]] = {}
    for package_id, label, url, serial in rows:
        labels[package_id] = label
        if url is not None:
            urls.setdefault(package_id, []).append(url)
        if serial is not None:
            serials.setdefault(package_id, []).append(serial)
    related = siblings(session, wanted)
    return [
        Received(
            labels[package_id],
            tuple(urls.get(package_id, ())),
            tuple(serials.get(package_id, ())),
            related.get(package_id, ()),
        )
        for package_id in package_ids
    ]


def received_by_package(session: Session, packages: list[Package]) -> list[Received]:
    """`received` for loaded packages (the completing step of GET /receive/{label})."""
    return received(session, [package.id for package in packages])


def received_by_code(session: Session, codes: list[RetailIdCode]) -> list[Received]:
    """`received` for the packages holding `codes` (GET /receive/qr/{shortCode})."""
    return received(session, [code.package_id for code in codes])


# --- summaries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuance:
    public_id: str
    label_set: int
    quantity: int
    created_at: datetime


@dataclass(frozen=True)
class Summary:
    """The codes of one package, counted: how many it holds, how many of those its remaining
    units still carry (estimated), its issuances (oldest first) and its siblings."""

    label: str
    code_count: int
    estimated_balance: int
    issuances: tuple[Issuance, ...] = ()
    sibling_labels: tuple[str, ...] = field(default=())

    @property
    def requires_verification(self) -> bool:
        return bool(self.sibling_labels)


def estimated_balance(package: Package, code_count: int) -> int:
    """How many of its codes a package's units still carry: a package counted in units has at
    most one code on each unit it holds; an empty package carries none."""
    if package.quantity <= 0:
        return 0
    units = units_held(package)
    return code_count if units is None else min(code_count, units)


def summaries(session: Session, packages: Sequence[Package]) -> list[Summary]:
    """The summary of each package, in order (three statements)."""
    wanted = sorted({package.id for package in packages})
    if not wanted:
        return []
    counts: dict[int, int] = {
        package_id: count
        for package_id, count in session.execute(
            select(RetailIdCode.package_id, func.count())
            .where(RetailIdCode.package_id.in_(wanted))
            .group_by(RetailIdCode.package_id)
        )
    }
    issued: dict[int, list[Issuance]] = {}
    for row in session.execute(
        select(
            RetailIdIssuance.package_id,
            RetailIdIssuance.public_id,
            RetailIdIssuance.label_set,
            RetailIdIssuance.quantity,
            RetailIdIssuance.created_at,
        )
        .where(RetailIdIssuance.package_id.in_(wanted))
        .order_by(RetailIdIssuance.package_id, RetailIdIssuance.label_set)
    ):
        issued.setdefault(row.package_id, []).append(
            Issuance(row.public_id, row.label_set, row.quantity, row.created_at)
        )
    related = siblings(session, wanted)
    made = []
    for package in packages:
        count = int(counts.get(package.id, 0))
        made.append(
            Summary(
                package.label,
                count,
                estimated_balance(package, count),
                tuple(issued.get(package.id, ())),
                related.get(package.id, ()),
            )
        )
    return made


# --- what a consumer sees --------------------------------------------------------------------


@dataclass(frozen=True)
class PublicLabel:
    short_code: str
    url: str
    product_name: str
    product_category_name: str
    strain_name: str | None
    brand_name: str | None
    package_label: str
    packaged_date: date
    expiration_date: date | None
    sell_by_date: date | None
    use_by_date: date | None
    lab_testing_state: str
    lab_testing_state_date: date | None


def public_label(session: Session, short_code: str) -> PublicLabel | None:
    """What the code `short_code` tells anyone who scans it, or None for an unknown code."""
    row = session.execute(
        select(
            RetailIdCode.short_code,
            RetailIdCode.url,
            Item.name.label("product_name"),
            Item.category_name.label("product_category_name"),
            Strain.name.label("strain_name"),
            ItemBrand.name.label("brand_name"),
            Package.label.label("package_label"),
            Package.packaged_date,
            Package.expiration_date,
            Package.sell_by_date,
            Package.use_by_date,
            Package.lab_testing_state,
            Package.lab_testing_state_date,
        )
        .join(Package, Package.id == RetailIdCode.package_id)
        .join(Item, Item.id == Package.item_id)
        .outerjoin(Strain, Strain.id == Item.strain_id)
        .outerjoin(ItemBrand, ItemBrand.id == Item.brand_id)
        .where(RetailIdCode.short_code == short_code)
    ).first()
    return None if row is None else PublicLabel(**row._mapping)


@dataclass(frozen=True)
class IssuedSheet:
    """An issuance's codes (short code, URL) in serial order, with what names their package."""

    package_label: str
    product_name: str
    label_set: int
    codes: tuple[tuple[str, str], ...]


def issued_sheet(session: Session, public_id: str) -> IssuedSheet | None:
    """The codes of the issuance `public_id`, wherever they are now (one statement)."""
    rows = session.execute(
        select(
            Package.label,
            Item.name,
            RetailIdIssuance.label_set,
            RetailIdCode.short_code,
            RetailIdCode.url,
        )
        .select_from(RetailIdIssuance)
        .join(Package, Package.id == RetailIdIssuance.package_id)
        .join(Item, Item.id == Package.item_id)
        .join(RetailIdCode, RetailIdCode.issuance_id == RetailIdIssuance.id)
        .where(RetailIdIssuance.public_id == public_id)
        .order_by(RetailIdCode.serial)
    ).all()
    if not rows:
        return None
    first = rows[0]
    return IssuedSheet(
        first.label, first.name, first.label_set, tuple((r.short_code, r.url) for r in rows)
    )
