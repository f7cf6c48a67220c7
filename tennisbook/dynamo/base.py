"""PynamoDB models bound to the project's settings.

Every table model derives from ``DynamoModel`` and names its table without
the environment prefix (``table = "UserConfigs"``). Binding fills in the
prefixed table name, the endpoint, the region and the timeouts from
``settings.DYNAMODB``; ``bind_models`` re-binds every model at once (the
integration tests point them at a real emulator server that way).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from pynamodb.connection import Connection
from pynamodb.models import Model

_models: list[type[DynamoModel]] = []
_binding: dict[str, Any] = {}
_connection: Connection | None = None


class DynamoModel(Model):
    """Base of every table model; subclasses set ``table`` (unprefixed).

    A second model over an existing table (another item type sharing it)
    sets ``manages_table = False``: it is bound like the others, but the
    table is created from its primary model's schema.
    """

    table: ClassVar[str]
    manages_table: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "table" in cls.__dict__:
            _models.append(cls)
            _bind(cls, _current_binding())


def _current_binding() -> dict[str, Any]:
    if not _binding:
        _binding.update(settings.DYNAMODB)
    return _binding


def _bind(model: type[DynamoModel], binding: dict[str, Any]) -> None:
    meta = model.Meta
    meta.table_name = f"{binding['table_prefix']}{model.table}"
    meta.host = binding["endpoint_url"] or None
    meta.region = binding["region"]
    meta.connect_timeout_seconds = binding["connect_timeout"]
    meta.read_timeout_seconds = binding["read_timeout"]
    meta.max_retry_attempts = binding["max_retry_attempts"]
    meta.billing_mode = "PAY_PER_REQUEST"
    model._connection = None  # PynamoDB caches it per class


def bind_models(**overrides: Any) -> dict[str, Any]:
    """Re-bind every model to ``settings.DYNAMODB`` updated with ``overrides``.

    Returns the previous binding so a caller can restore it.
    """
    global _connection
    previous = dict(_current_binding())
    wanted = {**settings.DYNAMODB, **overrides}
    if wanted == previous:
        # Keep the connections: each new one loads botocore's service models.
        return previous
    _binding.clear()
    _binding.update(wanted)
    for model in _models:
        _bind(model, _binding)
    _connection = None
    return previous


def registered_models() -> list[type[DynamoModel]]:
    return list(_models)


def connection() -> Connection:
    """A low-level connection for transactions, on the current binding."""
    global _connection
    if _connection is None:
        binding = _current_binding()
        _connection = Connection(
            region=binding["region"],
            host=binding["endpoint_url"] or None,
            connect_timeout_seconds=binding["connect_timeout"],
            read_timeout_seconds=binding["read_timeout"],
            max_retry_attempts=binding["max_retry_attempts"],
        )
    return _connection


def endpoint_description() -> str:
    binding = _current_binding()
    return binding["endpoint_url"] or f"AWS DynamoDB ({binding['region']})"
