"""Tags (v2): the facility's available plant and package tags, and staged tags.

Available lists answer a bare array shaped like the v2 examples, values from the ledger: the
tag type's name and id, its inventory type, and the owning facility's id.

Staging tags for Retail ID is not modelled in leafledger, so no tag is ever staged:
GET /tags/v2/staged answers an empty array (the truth for this ledger) rather than a 501.
"""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.factories import at_facility, fixed, listing
from leafledger.domain import queries
from leafledger.domain.models import Tag
from leafledger.domain.services.tags import tag_type_of


def render(tag: Tag) -> dict[str, Any]:
    tag_type = tag_type_of(tag)
    return {
        "Id": tag.id,
        "GroupTagTypeName": None,
        "TagTypeName": tag.tag_type_name,
        "GroupTagTypeId": None,
        "TagTypeId": tag_type.id,
        "TagInventoryTypeName": tag_type.inventory_type_name,
        "MaxGroupSize": 0,
        "FacilityId": tag.facility_id,
        "Label": tag.label,
    }


plant_available = listing(at_facility(queries.tags.available, kind="Plant"), render)
package_available = listing(at_facility(queries.tags.available, kind="Package"), render)
staged = fixed((), render, "staged")
