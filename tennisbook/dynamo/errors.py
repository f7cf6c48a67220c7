"""The data layer's own exceptions.

Repositories translate PynamoDB, botocore and emulator errors into these, so
services and views handle three situations and never a vendor's exception:
the item is not there, someone else got there first, or the store is down.
"""


class DataError(Exception):
    """Base class of every data-layer failure."""


class NotFound(DataError):
    """The item does not exist, or has expired (TTL)."""


class Conflict(DataError):
    """A conditional write lost: duplicate key, stale version, changed state."""


class Unavailable(DataError):
    """DynamoDB (or the emulator) cannot be reached or refused to serve us."""


class TableMissing(Unavailable):
    """A table this process needs does not exist yet."""
