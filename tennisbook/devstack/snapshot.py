"""Save and restore the emulator's DynamoDB and KMS state.

moto keeps everything in memory, in per-account, per-region backend objects.
Pickling those objects is the cheapest complete snapshot there is (tables,
items, GSIs, TTL settings, KMS keys with their ids, ARNs, material, aliases,
rotation flags, grants and tags), with one obstacle: a KMS key holds a
``cryptography`` private key object, which does not pickle. The pickler below
stores such objects as PKCS#8 DER bytes and the unpickler loads them back,
so a key keeps its identity *and* its material, and a ciphertext made before
a restart still decrypts after it.

A snapshot is only as compatible as the moto version that wrote it: the file
records that version, and ``restore`` sets an unreadable file aside rather
than refusing to start.
"""

from __future__ import annotations

import io
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from moto.dynamodb.models import dynamodb_backends
from moto.kms.models import kms_backends

FORMAT = 1
_BACKENDS = {"dynamodb": dynamodb_backends, "kms": kms_backends}
_PRIVATE_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)


class _Pickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _PRIVATE_KEY_TYPES):
            der = obj.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return ("private-key", der)
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        kind, der = pid
        if kind != "private-key":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r}")
        return serialization.load_der_private_key(der, password=None)


@dataclass
class Summary:
    tables: int
    items: int
    keys: int

    def __str__(self) -> str:
        return f"{self.tables} tables, {self.items} items, {self.keys} KMS keys"


def dump_state() -> bytes:
    """The current DynamoDB and KMS state as bytes.

    The caller must hold the emulator's request lock, so that no request
    changes the backends while they are being pickled.
    """
    state = {
        service: {
            account: dict(regions.items()) for account, regions in backends.items() if regions
        }
        for service, backends in _BACKENDS.items()
    }
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
        {"format": FORMAT, "moto": moto.__version__, "saved_at": time.time(), "state": state}
    )
    return buffer.getvalue()


def load_state(data: bytes) -> Summary:
    """Replace the in-memory backends with the ones in ``data``."""
    # The file is our own, written by this module into the var dir.
    payload = _Unpickler(io.BytesIO(data)).load()
    if payload.get("format") != FORMAT:
        raise ValueError(f"snapshot format {payload.get('format')!r}, expected {FORMAT}")
    for service, accounts in payload["state"].items():
        backends = _BACKENDS[service]
        for account, regions in accounts.items():
            for region, backend in regions.items():
                backends[account][region] = backend
    return summarize()


def summarize() -> Summary:
    tables = items = keys = 0
    for regions in dynamodb_backends.values():
        for backend in regions.values():
            for table in backend.tables.values():
                tables += 1
                items += len(table)
    for regions in kms_backends.values():
        for backend in regions.values():
            keys += len(backend.keys)
    return Summary(tables, items, keys)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` is always either the old or the new file.

    temp file in the same directory, fsync, rename over, fsync the directory:
    a crash at any point leaves a complete snapshot behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def restore(path: Path) -> Summary | None:
    """Load ``path`` if it exists; None when there is nothing to restore.

    A file that cannot be loaded (a different moto version, a bug) is renamed
    to ``*.unreadable-<time>`` and the error re-raised, so the caller can say
    so and start empty without destroying the evidence.
    """
    if not path.exists():
        return None
    try:
        return load_state(path.read_bytes())
    except Exception:
        path.rename(path.with_name(f"{path.name}.unreadable-{int(time.time())}"))
        raise
