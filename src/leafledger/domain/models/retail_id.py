"""Retail ID: a QR code on each unit of a package, whose short code resolves to the public
information of the unit's product.

- `RetailIdAllotment`: how many codes a facility may generate in all (`granted`) and how many
  it has generated (`generated`); the difference is what GET /retailid/v2/allotment answers.
  Its row is also the lock generations of one facility take turns on, and `generated` numbers
  the codes (serials 1, 2, 3... per facility).
- `RetailIdIssuance`: one generation of codes for one package, known to clients by its
  `public_id` (a random hex string, as Metrc's issuance ids are), numbered per package from 0
  (`label_set`), covering the serials `first_serial` to `last_serial`.
- `RetailIdCode`: one code, held by one package (`package_id`: the package its unit is in now;
  a merge moves codes to the target, an association may move them to another package). A
  generated code belongs to its issuance and has a serial; an associated one (printed by
  someone else, posted as a URL) has neither. `facility_id` is the holding package's facility.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class RetailIdAllotment(Timestamped, Base):
    __tablename__ = "retail_id_allotments"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), unique=True)
    granted: Mapped[int]
    generated: Mapped[int] = mapped_column(default=0)


class RetailIdIssuance(Timestamped, Base):
    __tablename__ = "retail_id_issuances"
    __table_args__ = (
        Index("ix_retail_id_issuances_facility_package", "facility_id", "package_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    label_set: Mapped[int]
    quantity: Mapped[int]
    first_serial: Mapped[int]
    last_serial: Mapped[int]


class RetailIdCode(Timestamped, Base):
    __tablename__ = "retail_id_codes"
    __table_args__ = (
        Index("ix_retail_id_codes_facility_package", "facility_id", "package_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    issuance_id: Mapped[int | None] = mapped_column(
        ForeignKey("retail_id_issuances.id"), index=True
    )
    short_code: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    serial: Mapped[int | None]
    origin: Mapped[str] = mapped_column(String(16))  # "Generated" or "Associated"
