"""Typed table access for services, one repository per table.

A repository is the only place that calls PynamoDB: services get typed
operations (get, create with a uniqueness condition, conditional update,
delete, list by index) and the project's own exceptions. Every read drops
items whose TTL has passed, because DynamoDB deletes them lazily (up to ~48 h
late) and the local emulator never does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import structlog
from botocore.exceptions import BotoCoreError
from pynamodb.attributes import TTLAttribute
from pynamodb.exceptions import (
    DoesNotExist,
    PynamoDBException,
    TableDoesNotExist,
    TransactWriteError,
)
from pynamodb.expressions.condition import Condition

from .base import DynamoModel, endpoint_description
from .errors import Conflict, DataError, NotFound, TableMissing, Unavailable

log = structlog.get_logger("tennisbook.dynamo")

M = TypeVar("M", bound=DynamoModel)

_CONFLICT_CODES = {"ConditionalCheckFailedException", "TransactionCanceledException"}
_UNAVAILABLE_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "AccessDeniedException",
    "ExpiredTokenException",
    # A plain write that met an item inside another transaction: try again.
    "TransactionConflictException",
}


def _missing_table_message(table: str) -> str:
    return (
        f"DynamoDB table {table!r} does not exist at {endpoint_description()}: "
        "run `python manage.py create_tables`."
    )


@contextlib.contextmanager
def translate_errors(operation: str, table: str) -> Iterator[None]:
    """Turn PynamoDB/botocore failures into the data layer's exceptions.

    Every translated failure is logged once here, with the operation and
    table, so callers do not need to log them again.
    """
    try:
        yield
    except DataError:
        raise
    except DoesNotExist:
        raise NotFound(f"{operation} on {table}: no such item.") from None
    except TableDoesNotExist as exc:
        log.error("dynamodb.table_missing", operation=operation, table=table)
        raise TableMissing(_missing_table_message(table)) from exc
    except PynamoDBException as exc:
        code = _response_code(exc)
        if code in _CONFLICT_CODES:
            log.info("dynamodb.conflict", operation=operation, table=table, code=code)
            raise Conflict(f"{operation} on {table}: the item changed or already exists.") from exc
        if code == "ResourceNotFoundException":
            log.error("dynamodb.table_missing", operation=operation, table=table)
            raise TableMissing(_missing_table_message(table)) from exc
        if code in _UNAVAILABLE_CODES or code is None:
            log.error(
                "dynamodb.unavailable",
                operation=operation,
                table=table,
                code=code,
                error=str(exc.cause or exc)[:300],
            )
            raise Unavailable(
                f"DynamoDB at {endpoint_description()} is unavailable ({code or 'no answer'})."
            ) from exc
        log.error("dynamodb.error", operation=operation, table=table, code=code, error=str(exc))
        raise DataError(f"{operation} on {table} failed: {code}.") from exc
    except BotoCoreError as exc:
        log.error("dynamodb.unavailable", operation=operation, table=table, error=str(exc)[:300])
        raise Unavailable(f"DynamoDB at {endpoint_description()} cannot be reached.") from exc


def _response_code(exc: PynamoDBException) -> str | None:
    """DynamoDB's error code, or None when there was no answer at all.

    PynamoDB's own property fails with AttributeError when botocore timed out
    reading (its error carries ``response = None``): a DynamoDB that hangs
    must read as unavailable, like one that is down.
    """
    response = getattr(exc.cause, "response", None) or {}
    return (response.get("Error") or {}).get("Code")


def is_expired(item: DynamoModel, now: float | None = None) -> bool:
    """True when the item's TTL attribute lies in the past."""
    for name, attribute in item.get_attributes().items():
        if isinstance(attribute, TTLAttribute):
            expires = getattr(item, name)
            if expires is None:
                return False
            return expires.timestamp() <= (now if now is not None else time.time())
    return False


def transaction_conflict_reasons(exc: BaseException) -> list[str | None]:
    """The per-item cancellation codes of a failed transaction (None = fine)."""
    cause = exc.__cause__ if isinstance(exc, Conflict) else exc
    if isinstance(cause, TransactWriteError):
        return [reason.code if reason else None for reason in cause.cancellation_reasons or []]
    return []


class Repository(Generic[M]):
    """Typed operations on one table; subclasses set ``model``."""

    model: ClassVar[type[DynamoModel]]

    @property
    def table(self) -> str:
        return self.model.Meta.table_name

    def errors(self, operation: str) -> contextlib.AbstractContextManager[None]:
        return translate_errors(operation, self.table)

    # --- reads ---------------------------------------------------------------

    def get(self, hash_key: Any, range_key: Any = None, *, consistent: bool = True) -> M:
        """The live item with this key; ``NotFound`` if absent or expired."""
        with self.errors("get"):
            item = self.model.get(hash_key, range_key, consistent_read=consistent)
        if is_expired(item):
            raise NotFound(f"get on {self.table}: the item has expired.")
        return item  # type: ignore[return-value]

    def find(self, hash_key: Any, range_key: Any = None) -> M | None:
        try:
            return self.get(hash_key, range_key)
        except NotFound:
            return None

    def get_many(self, keys: Iterable[Any]) -> list[M]:
        """The live items among ``keys`` (hash keys, or (hash, range) pairs), in one batch read."""
        keys = list(keys)
        if not keys:
            return []
        with self.errors("batch_get"):
            return self._live(self.model.batch_get(keys, consistent_read=True), None)

    def query(
        self,
        hash_key: Any,
        range_key_condition: Condition | None = None,
        *,
        index: Any = None,
        filter_condition: Condition | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[M]:
        """Items of one partition (of the table or a GSI), expired ones dropped."""
        source = index if index is not None else self.model
        with self.errors("query"):
            results = source.query(
                hash_key,
                range_key_condition,
                filter_condition=filter_condition,
                scan_index_forward=not newest_first,
            )
            return self._live(results, limit)

    def scan(self, filter_condition: Condition | None = None) -> Iterator[M]:
        """Every live item: for operators' tools and rotation, never request paths."""
        with self.errors("scan"):
            for item in self.model.scan(filter_condition):
                if not is_expired(item):
                    yield item  # type: ignore[misc]

    def _live(self, items: Iterable[DynamoModel], limit: int | None) -> list[M]:
        now = time.time()
        live: list[M] = []
        for item in items:
            if is_expired(item, now):
                continue
            live.append(item)  # type: ignore[arg-type]
            if limit is not None and len(live) >= limit:
                break
        return live

    # --- writes --------------------------------------------------------------

    def create(self, item: M) -> M:
        """Save a new item; ``Conflict`` if one with the same key exists."""
        hash_attr = self.model._hash_key_attribute()
        with self.errors("create"):
            item.save(condition=hash_attr.does_not_exist())
        return item

    def save(self, item: M, condition: Condition | None = None) -> M:
        """Save the whole item (optimistic locking through its version)."""
        with self.errors("save"):
            item.save(condition=condition)
        return item

    def update(
        self,
        item: M,
        actions: list[Any],
        condition: Condition | None = None,
        *,
        add_version_condition: bool = True,
    ) -> M:
        """Apply ``actions`` if ``condition`` (and, by default, the version check) holds.

        On success ``item`` holds the new state; a lost condition raises
        ``Conflict``, the normal "someone else got there first" outcome.
        Without the version check, ``condition`` alone guards the write (for
        an item known only by its key).
        """
        with self.errors("update"):
            item.update(
                actions=actions, condition=condition, add_version_condition=add_version_condition
            )
        return item

    def delete(self, item: M, condition: Condition | None = None) -> None:
        with self.errors("delete"):
            item.delete(condition=condition)
