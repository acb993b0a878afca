"""The read side of the ledger: list statements and read models both dialects share.

One module per aggregate; `base.py` holds what they are built from.
"""

from leafledger.domain.queries import items, locations, plant_batches, plants

__all__ = ["items", "locations", "plant_batches", "plants"]
