"""Where the stack listens comes from the settings' own variables, or flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from tennisbook.devstack.config import ConfigError, StackConfig


def test_the_defaults_are_the_documented_ports(tmp_path):
    config = StackConfig.from_env({"TENNISBOOK_VAR_DIR": str(tmp_path)})

    assert (config.site.port, config.dynamodb.port, config.democlub.port) == (8000, 8001, 8100)
    assert config.democlub_second.port == 8101
    assert config.run_emulator is True
    assert config.redis_url is None
    assert config.var_dir == tmp_path.resolve()
    assert config.democlub_kind == "condo"
    assert config.democlub_second_kind == "grid"


def test_flags_override_the_urls_and_the_var_dir(tmp_path):
    config = StackConfig.from_env(
        {"DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:9001"},
        var_dir=tmp_path,
        web_port=18000,
        emulator_port=18001,
        democlub_port=18100,
        democlub_second_port=18101,
    )

    assert config.site.url == "http://127.0.0.1:18000"
    assert config.dynamodb.url == "http://127.0.0.1:18001"
    assert config.democlub.url == "http://127.0.0.1:18100"
    assert config.democlub_second.url == "http://127.0.0.1:18101"


def test_an_empty_dynamodb_endpoint_means_real_aws_and_no_emulator(tmp_path):
    config = StackConfig.from_env({"DYNAMODB_ENDPOINT_URL": "", "TENNISBOOK_VAR_DIR": "x"})

    assert config.dynamodb is None
    assert not config.run_emulator


def test_a_remote_dynamodb_endpoint_is_used_not_emulated():
    config = StackConfig.from_env({"DYNAMODB_ENDPOINT_URL": "http://dynamodb.internal:8000"})

    assert not config.run_emulator


def test_a_site_url_off_loopback_is_refused():
    with pytest.raises(ConfigError, match="TENNISBOOK_SITE_URL"):
        StackConfig.from_env({"TENNISBOOK_SITE_URL": "https://book.example.org"})


def test_the_var_dir_defaults_to_var_in_the_checkout():
    config = StackConfig.from_env({})

    assert config.var_dir == (Path(__file__).resolve().parents[2] / "var")


def test_the_demo_portal_kind_comes_from_democlub_kind():
    assert StackConfig.from_env({"DEMOCLUB_KIND": "grid"}).democlub_kind == "grid"
    assert StackConfig.from_env({"DEMOCLUB_KIND": ""}).democlub_kind == "condo"


def test_the_second_demo_portal_is_the_other_kind_at_democlub_second_url():
    config = StackConfig.from_env(
        {"DEMOCLUB_KIND": "grid", "DEMOCLUB_SECOND_URL": "http://127.0.0.1:9101"}
    )

    assert (config.democlub_second_kind, config.democlub_second.url) == (
        "condo",
        "http://127.0.0.1:9101",
    )
    assert config.democlub_second.variable == "DEMOCLUB_SECOND_URL"  # named when taken


def test_two_demo_portals_on_one_port_are_refused_with_both_variables():
    with pytest.raises(ConfigError, match=r"DEMOCLUB_SECOND_URL=.*port of DEMOCLUB_URL="):
        StackConfig.from_env({"DEMOCLUB_SECOND_URL": "http://127.0.0.1:8100"})


def test_an_unknown_demo_portal_kind_is_refused_with_the_variable_and_the_choices():
    with pytest.raises(ConfigError, match=r"DEMOCLUB_KIND='square' is not one of: condo, grid"):
        StackConfig.from_env({"DEMOCLUB_KIND": "square"})


@pytest.mark.parametrize(
    ("environ", "flags", "message"),
    [
        (
            {"DEMOCLUB_URL": "http://127.0.0.1:8000"},
            {},
            "DEMOCLUB_URL=.*port of TENNISBOOK_SITE_URL=",
        ),
        (
            {"DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8101"},
            {},
            "DEMOCLUB_SECOND_URL=.*port of DYNAMODB_ENDPOINT_URL=",
        ),
        (
            {},
            {"web_port": 18000, "emulator_port": 18000},
            "DYNAMODB_ENDPOINT_URL=.*TENNISBOOK_SITE",
        ),
    ],
)
def test_any_two_servers_of_the_stack_on_one_port_are_refused(environ, flags, message):
    with pytest.raises(ConfigError, match=message):
        StackConfig.from_env(environ, **flags)


def test_a_remote_service_may_share_a_port_number_with_a_local_one():
    config = StackConfig.from_env({"DYNAMODB_ENDPOINT_URL": "https://dynamodb.example.com:8000"})

    assert (config.site.port, config.dynamodb.port) == (8000, 8000)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://127.0.0.1:abc", r"DEMOCLUB_URL='http://127.0.0.1:abc': Port could not be cast"),
        ("http://127.0.0.1:99999", r"DEMOCLUB_URL='http://127.0.0.1:99999': Port out of range"),
        ("127.0.0.1:8100", r"DEMOCLUB_URL='127.0.0.1:8100' is not an http:// URL with a host"),
    ],
)
def test_a_malformed_url_is_refused_naming_its_variable(value, message):
    with pytest.raises(ConfigError, match=message):
        StackConfig.from_env({"DEMOCLUB_URL": value})
