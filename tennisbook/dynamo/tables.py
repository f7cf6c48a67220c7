"""Creating and checking the project's tables."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute

from .base import DynamoModel, registered_models
from .repository import translate_errors


@dataclass
class TableState:
    name: str
    created: bool
    ttl_attribute: str | None


def _ttl_attribute(model: type[DynamoModel]) -> str | None:
    for attribute in model.get_attributes().values():
        if isinstance(attribute, TTLAttribute):
            return attribute.attr_name
    return None


def ensure_table(model: type[DynamoModel]) -> TableState:
    """Create the table (with its indexes and TTL) unless it exists; idempotent.

    For an existing table, TTL is (re-)enabled: a table created by hand or by
    an older version must not keep finished requests forever.
    """
    name = model.Meta.table_name
    ttl = _ttl_attribute(model)
    with translate_errors("create_table", name):
        created = not model.exists()
        if created:
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
        if ttl:
            client = model._get_connection().connection.client
            status = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            if status.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
                )
    return TableState(name, created, ttl)


def table_models() -> list[type[DynamoModel]]:
    """One model per table: the one whose schema creates it."""
    return [model for model in registered_models() if model.__dict__.get("manages_table", True)]


def ensure_tables() -> list[TableState]:
    return [ensure_table(model) for model in table_models()]


def missing_tables() -> list[str]:
    """Names of the project's tables that do not exist (raises ``Unavailable``)."""
    missing = []
    for model in table_models():
        with translate_errors("describe_table", model.Meta.table_name):
            if not model.exists():
                missing.append(model.Meta.table_name)
    return missing
