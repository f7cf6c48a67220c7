"""Bad environment values stop start-up with one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tennisbook.settings import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("reader", "value", "fragment"),
    [
        (lambda: env.env_bool("TB_X"), "maybe", "TB_X='maybe' is not a boolean"),
        (lambda: env.env_int("TB_X"), "ten", "TB_X='ten' is not a whole number"),
        (lambda: env.env_int("TB_X", minimum=1), "0", "TB_X=0 is below the minimum of 1"),
        (lambda: env.env_url("TB_X"), "localhost:8000", "TB_X='localhost:8000' is not a URL"),
        (lambda: env.env_url("TB_X"), "http://h:abc", "port that is not a number"),
        (lambda: env.env_choice("TB_X", ("a", "b")), "c", "TB_X='c' is not one of: a, b"),
        (lambda: env.env_float("TB_X"), "fast", "TB_X='fast' is not a number"),
    ],
)
def test_a_malformed_value_names_the_variable(monkeypatch, reader, value, fragment):
    monkeypatch.setenv("TB_X", value)
    with pytest.raises(ImproperlyConfigured, match=fragment.replace("(", r"\(")):
        reader()


def test_a_missing_required_variable_says_where_to_look(monkeypatch):
    monkeypatch.delenv("TB_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match=r"Set the environment variable TB_MISSING"):
        env.env_str("TB_MISSING")


def test_helpers_accept_good_values(monkeypatch):
    monkeypatch.setenv("TB_X", " yes ")
    assert env.env_bool("TB_X") is True
    monkeypatch.setenv("TB_X", "a, b,,c")
    assert env.env_list("TB_X") == ["a", "b", "c"]
    assert env.env_int("TB_UNSET", 3) == 3


def test_the_process_refuses_to_start_with_a_malformed_variable():
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DYNAMODB"))
    } | {"DJANGO_SETTINGS_MODULE": "tennisbook.settings.local", "REDIS_URL": "http://nope"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REDIS_URL='http://nope' is not a URL of the form redis://" in result.stderr
