"""DynamoDB access shared by every app: settings binding, errors, repositories."""

from .base import DynamoModel, bind_models, connection, registered_models
from .errors import Conflict, DataError, NotFound, TableMissing, Unavailable
from .repository import Repository

__all__ = [
    "Conflict",
    "DataError",
    "DynamoModel",
    "NotFound",
    "Repository",
    "TableMissing",
    "Unavailable",
    "bind_models",
    "connection",
    "registered_models",
]
