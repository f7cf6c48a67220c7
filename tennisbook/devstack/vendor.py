"""Vendored front-end assets: refreshed from the npm registry, checked offline.

``python -m tennisbook.devstack.vendor`` downloads each pinned package's
tarball (the URL and ``dist.integrity`` come from the registry's metadata for
that exact version), verifies the tarball's sha512 against the integrity
before reading a single member, and copies the kept files plus the
package's licence files into the package's target directory, beside a
``VENDOR.json`` that records where they came from and their sha256.
``--check`` makes no network call: it recomputes each kept file's sha256
against ``VENDOR.json`` and checks that ``VENDOR.json`` names the pinned
version, and exits 1 naming every file that differs.

Nothing is extracted to disk from the tarball as-is: the kept members are
read by name and written under names of our own, so a crafted archive
cannot place a file anywhere else. The standard library does all the work
(urllib, tarfile, hashlib): no npm, no node.

To move to a new version: change ``PACKAGES``, run the script, commit the
files it changed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import json
import os
import sys
import tarfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from .config import ROOT

REGISTRY = "https://registry.npmjs.org"
TIMEOUT_SECONDS = 30
MAX_TARBALL_BYTES = 50 * 1024 * 1024
MANIFEST = "VENDOR.json"
# Top-level files of a package that carry its licence terms.
LICENCE_PREFIXES = ("license", "licence", "copying")


@dataclass(frozen=True)
class Package:
    """One npm package at an exact version, and what we keep of it.

    ``files`` maps a path inside the package (relative to its root folder)
    to the file name written in ``target`` (relative to the repository).
    """

    name: str
    version: str
    target: str
    files: dict[str, str]


PACKAGES = (
    # htmx 2.0.x: the line the member pages are written against.
    Package(
        name="htmx.org",
        version="2.0.11",
        target="static/vendor/htmx",
        files={"dist/htmx.min.js": "htmx.min.js"},
    ),
    # Test-only: the browser tests inject it; never served to members.
    Package(
        name="axe-core",
        version="4.14.1",
        target="tests/pages/vendor/axe-core",
        files={"axe.min.js": "axe.min.js"},
    ),
)


class VendorError(Exception):
    """A refresh or check that failed, with a message worth one line to the developer."""


# --- the registry ---------------------------------------------------------------

Fetch = Callable[[str], bytes]


def fetch(url: str, *, limit: int = MAX_TARBALL_BYTES) -> bytes:
    """GET ``url`` from the registry (https only) with a timeout and a size limit."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname != urlsplit(REGISTRY).hostname:
        raise VendorError(f"refusing to download {url}: not on {REGISTRY}")
    request = urllib.request.Request(  # noqa: S310 - https on the registry, checked above
        url, headers={"Accept": "application/json", "User-Agent": "tennisbook-vendor"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise VendorError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise VendorError(f"{url}: cannot download ({reason})") from None
    if len(body) > limit:
        raise VendorError(f"{url}: larger than {limit} bytes")
    return body


def release_metadata(package: Package, get: Fetch = fetch) -> tuple[str, str]:
    """The registry's tarball URL and ``dist.integrity`` for the pinned version."""
    url = f"{REGISTRY}/{quote(package.name, safe='@')}/{quote(package.version)}"
    try:
        document = json.loads(get(url))
        dist = document["dist"]
        tarball, integrity = dist["tarball"], dist["integrity"]
    except (ValueError, KeyError, TypeError):
        raise VendorError(f"{url}: no dist.tarball and dist.integrity in the answer") from None
    if document.get("name") != package.name or document.get("version") != package.version:
        raise VendorError(f"{url}: the registry answered for another package or version")
    return tarball, integrity


def verify_integrity(data: bytes, integrity: str, what: str) -> None:
    """Raise unless ``data`` matches one of the sha512 hashes of an SRI string."""
    expected = [
        token.split("-", 1)[1].split("?", 1)[0]
        for token in integrity.split()
        if token.startswith("sha512-")
    ]
    if not expected:
        raise VendorError(f"{what}: the registry gave no sha512 integrity ({integrity!r})")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if not any(hmac.compare_digest(actual, digest) for digest in expected):
        raise VendorError(
            f"{what}: sha512 mismatch (registry {expected[0]}, downloaded {actual}); "
            "nothing was written"
        )


# --- the tarball ------------------------------------------------------------------


def kept_members(package: Package, data: bytes) -> dict[str, tuple[str, bytes]]:
    """``{written name: (member name, content)}`` for the kept files and the licences."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            return _read_kept(package, archive)
    except tarfile.TarError as exc:
        raise VendorError(f"{package.name}@{package.version}: unreadable tarball ({exc})") from None


def _is_licence(member_name: str) -> bool:
    """A file at the package's top level named LICENSE*, LICENCE* or COPYING*."""
    parts = member_name.split("/")
    return len(parts) == 2 and parts[1].lower().startswith(LICENCE_PREFIXES)


def _read_kept(package: Package, archive: tarfile.TarFile) -> dict[str, tuple[str, bytes]]:
    members = {m.name: m for m in archive.getmembers() if m.isfile()}
    roots = {name.split("/", 1)[0] for name in members if "/" in name}
    if len(roots) != 1:  # npm packs everything under one folder, usually "package/"
        raise VendorError(f"{package.name}: expected one top folder, found {sorted(roots)}")
    root = roots.pop()
    wanted = {f"{root}/{inside}": written for inside, written in package.files.items()}
    licences = {name: name.split("/")[1] for name in members if _is_licence(name)}
    if not licences:
        raise VendorError(f"{package.name}@{package.version}: no LICENSE file in the package")
    wanted.update(licences)
    missing = sorted(name for name in wanted if name not in members)
    if missing:
        raise VendorError(f"{package.name}@{package.version}: no {', '.join(missing)}")
    kept = {}
    for name, written in wanted.items():
        stream = archive.extractfile(members[name])
        assert stream is not None  # a regular file, by the filter above
        kept[written] = (name, stream.read())
    return kept


# --- the target directory ---------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def refresh_package(package: Package, root: Path = ROOT, get: Fetch = fetch) -> Path:
    """Download, verify and write one package's kept files and ``VENDOR.json``."""
    tarball, integrity = release_metadata(package, get)
    data = get(tarball)
    verify_integrity(data, integrity, tarball)  # before the archive is even opened
    kept = kept_members(package, data)
    target = root / package.target
    target.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(target / MANIFEST) if (target / MANIFEST).exists() else {}
    for written, (_, content) in kept.items():
        _write_atomically(target / written, content)
    for stale in set(previous.get("files", {})) - set(kept):
        (target / stale).unlink(missing_ok=True)
    manifest = {
        "package": package.name,
        "version": package.version,
        "tarball": tarball,
        "integrity": integrity,
        "files": {
            written: {"source": member, "sha256": sha256(content)}
            for written, (member, content) in sorted(kept.items())
        },
    }
    _write_atomically(target / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    return target


def check_package(package: Package, root: Path = ROOT) -> list[str]:
    """What differs between ``package``'s target directory and its pin; empty when nothing."""
    target = root / package.target
    manifest_path = target / MANIFEST
    if not manifest_path.exists():
        return [f"{manifest_path}: missing (run python -m tennisbook.devstack.vendor)"]
    try:
        manifest = _read_manifest(manifest_path)
        files = manifest["files"]
        recorded = (manifest["package"], manifest["version"])
    except (KeyError, TypeError, VendorError) as exc:
        return [f"{manifest_path}: unreadable ({exc})"]
    problems = []
    if recorded != (package.name, package.version):
        problems.append(
            f"{manifest_path}: records {recorded[0]}@{recorded[1]}, the pin is "
            f"{package.name}@{package.version} (run python -m tennisbook.devstack.vendor)"
        )
    for written in sorted(set(package.files.values()) - set(files)):
        problems.append(f"{target / written}: pinned but not in {MANIFEST}")
    for written, entry in sorted(files.items()):
        path = target / written
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256(path.read_bytes()) != entry.get("sha256"):
            problems.append(f"{path}: sha256 differs from {MANIFEST} (edited or corrupted)")
    return problems


def check(root: Path = ROOT, packages: tuple[Package, ...] = PACKAGES) -> list[str]:
    return [problem for package in packages for problem in check_package(package, root)]


def _read_manifest(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise VendorError(f"{path}: {exc}") from None


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    os.replace(partial, path)


# --- command line -------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tennisbook.devstack.vendor",
        description="Refresh the vendored front-end assets from the npm registry.",
    )
    parser.add_argument(
        "--check", action="store_true", help="verify the files against VENDOR.json, offline"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: here)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.root)
        for problem in problems:
            sys.stderr.write(f"vendor: {problem}\n")
        if not problems:
            sys.stdout.write(f"vendor: {len(PACKAGES)} packages match their VENDOR.json\n")
        return 1 if problems else 0
    for package in PACKAGES:
        try:
            target = refresh_package(package, args.root)
        except VendorError as exc:
            sys.stderr.write(f"vendor: error: {exc}\n")
            return 1
        shown = target.relative_to(args.root) if target.is_relative_to(args.root) else target
        sys.stdout.write(f"vendor: {package.name}@{package.version} -> {shown}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
