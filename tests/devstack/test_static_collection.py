"""Static files are collected once per change of the sources, whichever stack starts first.

Every stack of a checkout (``make run``, each test stack) serves the one
STATIC_ROOT; collecting again would rewrite files another running stack is
serving, so a stack that finds them current collects nothing.
"""

from __future__ import annotations

from django.test import override_settings

from tennisbook.devstack import prepare


def test_a_second_stack_finds_the_files_current_and_collects_nothing(tmp_path, monkeypatch):
    root = tmp_path / "staticfiles"
    stamp = tmp_path / "staticfiles.stamp"
    collected = []

    def collect(name, **options):
        assert name == "collectstatic"
        root.mkdir(exist_ok=True)
        (root / "staticfiles.json").write_text("{}")
        collected.append(options)

    fingerprint = ["sources-1"]
    monkeypatch.setattr(prepare, "static_fingerprint", lambda: fingerprint[0])
    with override_settings(STATIC_ROOT=str(root)):
        prepare.collectstatic_if_needed(collect, stamp)
        prepare.collectstatic_if_needed(collect, stamp)
        assert len(collected) == 1
        assert stamp.read_text() == "sources-1"

        fingerprint[0] = "sources-2"  # a stylesheet changed
        prepare.collectstatic_if_needed(collect, stamp)
        assert len(collected) == 2

        (root / "staticfiles.json").unlink()  # a half-deleted STATIC_ROOT is collected again
        prepare.collectstatic_if_needed(collect, stamp)
        assert len(collected) == 3
    assert sorted(p.name for p in root.iterdir()) == ["staticfiles.json"]
