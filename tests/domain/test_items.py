"""Item, strain and additive template rules at the service level, without HTTP."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Item
from leafledger.domain.reference import ITEM_CATEGORIES
from leafledger.domain.services import items, strains
from leafledger.domain.services.additives import Ingredient, TemplateFields, create_template
from leafledger.domain.services.lookups import item_named
from leafledger.domain.units import QuantityType, find_unit
from leafledger.store import Store
from tests.conftest import Ledger


@pytest.fixture()
def facility(ledger: Ledger) -> Facility:
    return ledger.facility("Cultivator")


def test_sniff_reads_magic_bytes_not_names() -> None:
    assert items.sniff(b"\x89PNG\r\n\x1a\n....") is items.PNG
    assert items.sniff(b"\xff\xd8\xff\xdb") is items.JPEG
    assert items.sniff(b"GIF87a..") is items.GIF
    assert items.sniff(b"BM....") is items.BMP
    assert items.sniff(b"%PDF-1.4") is items.PDF
    assert items.sniff(b"<svg/>") is None
    assert items.sniff(b"PK\x03\x04") is None  # a zip (or an office document)


def test_genetics_summary() -> None:
    assert strains.genetics_of(Decimal("60.0"), Decimal("40")) == "60% Indica / 40% Sativa"
    assert strains.genetics_of(Decimal("12.5"), None) is None


def test_every_category_accepts_a_unit_of_its_own_type_only(
    store: Store, facility: Facility
) -> None:
    """For each category, a minimal complete item is accepted with a unit of its quantity type
    and refused with a unit of another type."""
    with store.transaction() as session:
        session.add(facility)
        strains.create_strain(session, CLI, facility, strains.StrainFields(name="S"))
        items.create_brand(session, CLI, facility, items.NewBrand("B"))
        image = items.add_attachment(
            session,
            CLI,
            facility,
            items.NewAttachment(
                kind="photo",
                file_name="p.png",
                encoded=base64.b64encode(b"\x89PNG\r\n\x1a\n").decode(),
            ),
        )
        for index, category in enumerate(ITEM_CATEGORIES):
            good = {
                QuantityType.WEIGHT: "Grams",
                QuantityType.COUNT: "Each",
                QuantityType.VOLUME: "Milliliters",
            }[category.quantity_type]
            bad = "Each" if category.quantity_type is not QuantityType.COUNT else "Grams"
            fields = _complete(category.name, f"Item {index}", image.id)
            with pytest.raises(RuleViolation, match=category.quantity_type.value):
                items.create_item(
                    session, CLI, facility, items.ItemFields(**{**fields, "unit_of_measure": bad})
                )
            item = items.create_item(
                session, CLI, facility, items.ItemFields(**{**fields, "unit_of_measure": good})
            )
            unit = find_unit(item.unit_of_measure_name)
            assert unit is not None and unit.quantity_type is category.quantity_type
            assert item.quantity_type == category.quantity_type.value
            assert item_named(session, facility, f"Item {index}").id == item.id


def _complete(category: str, name: str, image_id: int) -> dict[str, object]:
    """Every detail any category may require."""
    fields: dict[str, object] = {
        "name": name,
        "item_category": category,
        "strain": "S",
        "item_brand": "B",
        "administration_method": "Oral",
        "unit_volume": Decimal(10),
        "unit_volume_unit_of_measure": "Milliliters",
        "unit_weight": Decimal(1),
        "unit_weight_unit_of_measure": "Grams",
        "serving_size": "1",
        "supply_duration_days": 30,
        "number_of_doses": Decimal(10),
        "public_ingredients": "Sugar",
        "description": "A product",
        "allergens": "None",
        "product_image_file_system_ids": [image_id],
        "product_photo_description": "front",
        "label_image_file_system_ids": [image_id],
        "label_photo_description": "label",
        "packaging_image_file_system_ids": [image_id],
        "packaging_photo_description": "box",
    }
    for name_part in ("cbd", "thc", "cbd_a", "thc_a"):
        fields[f"unit_{name_part}_percent"] = Decimal("0.5")
        for part in ("content", "content_dose"):
            fields[f"unit_{name_part}_{part}"] = Decimal(5)
            fields[f"unit_{name_part}_{part}_unit_of_measure"] = "Milligrams"
    return fields


def test_details_keep_decimals_exact_as_text(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        session.add(facility)
        item = items.create_item(
            session,
            CLI,
            facility,
            items.ItemFields(
                name="Gummy",
                item_category="Infused",
                unit_of_measure="Each",
                unit_thc_content=Decimal("2.5000000001"),
                unit_thc_content_unit_of_measure="mg",
                unit_weight=Decimal("0.1"),
                unit_weight_unit_of_measure="g",
            ),
        )
        item_id = item.id
    with store.read() as session:
        stored = session.get(Item, item_id)
        assert stored is not None
        assert stored.details["unit_thc_content"] == "2.5000000001"
        assert stored.details["unit_thc_content_unit_of_measure"] == "Milligrams"
        assert stored.details["unit_weight"] == "0.1"


def test_archived_item_cannot_be_used(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        session.add(facility)
        item = items.create_item(
            session,
            CLI,
            facility,
            items.ItemFields(name="Trash", item_category="Waste", unit_of_measure="Grams"),
        )
        items.archive_item(session, CLI, facility, item)
        with pytest.raises(RuleViolation, match="archived"):
            item_named(session, facility, "Trash")


def test_attachment_size_is_checked_before_decoding() -> None:
    huge = "A" * (items.MAX_ATTACHMENT_BYTES * 2)
    with pytest.raises(RuleViolation, match="5 MB"):
        items.add_attachment(None, CLI, None, items.NewAttachment("file", "x.pdf", huge))  # type: ignore[arg-type]


def test_template_ingredients_are_kept_exact(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        session.add(facility)
        template = create_template(
            session,
            CLI,
            facility,
            TemplateFields(
                name="Mix",
                additive_type="fertilizer",
                active_ingredients=(Ingredient("N", Decimal("33.3333")),),
            ),
        )
        assert template.additive_type == "Fertilizer"
        assert template.active_ingredients == [{"name": "N", "percentage": "33.3333"}]
