"""The vendored front-end assets match their pins, and a changed byte is caught.

Everything here is offline: the committed files are checked against their
``VENDOR.json``, and a refresh runs against a registry faked in memory.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import tarfile

import pytest

from tennisbook.devstack import vendor


def _copy_vendored(destination):
    for package in vendor.PACKAGES:
        shutil.copytree(vendor.ROOT / package.target, destination / package.target)


def test_the_committed_files_match_their_vendor_json():
    assert vendor.check() == []


def test_the_check_command_exits_0_offline(capsys):
    assert vendor.main(["--check"]) == 0
    assert "match their VENDOR.json" in capsys.readouterr().out


def test_a_tampered_file_is_reported_by_name(tmp_path, capsys):
    _copy_vendored(tmp_path)
    htmx = tmp_path / "static/vendor/htmx/htmx.min.js"
    htmx.write_bytes(htmx.read_bytes() + b"\n/* injected */")

    assert vendor.main(["--check", "--root", str(tmp_path)]) == 1

    err = capsys.readouterr().err
    assert f"{htmx}: sha256 differs from VENDOR.json" in err
    assert "axe.min.js" not in err  # only the file that changed


def test_a_missing_file_and_a_stale_pin_are_reported(tmp_path):
    _copy_vendored(tmp_path)
    (tmp_path / "tests/pages/vendor/axe-core/LICENSE").unlink()
    manifest_path = tmp_path / "static/vendor/htmx/VENDOR.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["version"] = "2.0.0"
    manifest_path.write_text(json.dumps(manifest))

    problems = vendor.check(tmp_path)

    assert f"{tmp_path}/tests/pages/vendor/axe-core/LICENSE: missing" in problems
    assert any("records htmx.org@2.0.0, the pin is htmx.org@" in p for p in problems)


# --- a refresh against a fake registry ------------------------------------------------

PACKAGE = vendor.Package(
    name="tiny", version="1.2.3", target="static/vendor/tiny", files={"dist/t.min.js": "t.min.js"}
)
TARBALL_URL = "https://registry.npmjs.org/tiny/-/tiny-1.2.3.tgz"


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _registry(tarball: bytes, integrity: str):
    metadata = {
        "name": "tiny",
        "version": "1.2.3",
        "dist": {"tarball": TARBALL_URL, "integrity": integrity},
    }
    answers = {"https://registry.npmjs.org/tiny/1.2.3": json.dumps(metadata).encode()}
    answers[TARBALL_URL] = tarball
    return answers.__getitem__


def test_a_refresh_keeps_the_pinned_files_and_the_licences_with_their_hashes(tmp_path):
    tarball = _tarball(
        {
            "package/dist/t.min.js": b"tiny()",
            "package/dist/t.js": b"not kept",
            "package/LICENSE.md": b"MIT",
            "package/package.json": b"{}",
        }
    )

    target = vendor.refresh_package(PACKAGE, tmp_path, _registry(tarball, _sri(tarball)))

    assert sorted(path.name for path in target.iterdir()) == [
        "LICENSE.md",
        "VENDOR.json",
        "t.min.js",
    ]
    manifest = json.loads((target / "VENDOR.json").read_text())
    assert manifest["tarball"] == TARBALL_URL
    assert manifest["integrity"] == _sri(tarball)
    assert manifest["files"]["t.min.js"] == {
        "source": "package/dist/t.min.js",
        "sha256": hashlib.sha256(b"tiny()").hexdigest(),
    }
    assert vendor.check(tmp_path, (PACKAGE,)) == []


def test_a_tarball_that_does_not_match_its_integrity_writes_nothing(tmp_path):
    tarball = _tarball({"package/dist/t.min.js": b"evil()", "package/LICENSE": b"MIT"})
    honest = _sri(_tarball({"package/dist/t.min.js": b"tiny()", "package/LICENSE": b"MIT"}))

    with pytest.raises(vendor.VendorError, match="sha512 mismatch"):
        vendor.refresh_package(PACKAGE, tmp_path, _registry(tarball, honest))

    assert not (tmp_path / PACKAGE.target).exists()


def test_a_package_without_a_licence_is_refused(tmp_path):
    tarball = _tarball({"package/dist/t.min.js": b"tiny()"})

    with pytest.raises(vendor.VendorError, match="no LICENSE file"):
        vendor.refresh_package(PACKAGE, tmp_path, _registry(tarball, _sri(tarball)))


def test_downloads_are_refused_off_the_registry():
    with pytest.raises(vendor.VendorError, match=r"not on https://registry\.npmjs\.org"):
        vendor.fetch("https://cdn.example.com/htmx.min.js")
