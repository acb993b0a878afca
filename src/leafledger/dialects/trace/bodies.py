"""The base of Trace body schemas: snake_case JSON objects, unknown fields ignored.

Field names are the wire names (Trace writes snake_case, as the domain does); a field may take
an alias where Trace's name differs from the command's. The licence a body names is checked by
the dialect (`TraceDialect.check_call`), not by each schema.
"""

from __future__ import annotations

from pydantic import ConfigDict

from leafledger.dialects.kit.bodies import WireBody


class TraceBody(WireBody):
    model_config = ConfigDict(
        extra="ignore", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )
