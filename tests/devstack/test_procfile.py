"""The Procfile is the one list of process commands: make run reads it, as it is."""

from __future__ import annotations

import sys

import pytest
import yaml

from tennisbook.devstack import environment, procfile
from tennisbook.devstack.config import ROOT, ConfigError, StackConfig


def _queues(argv: list[str]) -> frozenset[str]:
    return frozenset(argv[argv.index("-Q") + 1].split(","))


def _is_celery_worker(argv: list[str]) -> bool:
    return argv[1:3] == ["-m", "celery"] and "worker" in argv


def _workers(commands: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: argv for name, argv in commands.items() if _is_celery_worker(argv)}


@pytest.fixture
def stack_commands(tmp_path):
    config = StackConfig.from_env(
        {"TENNISBOOK_VAR_DIR": str(tmp_path / "my var")},
        web_port=18000,
        democlub_port=18100,
        democlub_second_port=18101,
    )
    env = environment.child_env(config, "redis://127.0.0.1:6399/0")
    return {name: p.argv(env) for name, p in procfile.load().items()}


def test_every_command_of_the_procfile_expands_with_the_stack_environment(stack_commands, tmp_path):
    web, democlub = stack_commands["web"], stack_commands["democlub"]

    assert web[0] == sys.executable
    assert web[web.index("-p") + 1] == "18000"
    assert democlub[democlub.index("--port") + 1] == "18100"
    assert democlub[democlub.index("--data-dir") + 1] == str(tmp_path / "my var" / "democlub")
    assert "--demo" in democlub
    assert democlub[democlub.index("--kind") + 1] == "condo"


def test_the_second_demo_portal_runs_the_other_kind_on_its_own_port_and_data(
    stack_commands, tmp_path
):
    first, second = stack_commands["democlub"], stack_commands["democlub2"]

    assert second[:3] == [sys.executable, "-m", "democlub"]
    assert second[second.index("--kind") + 1] == "grid"
    assert second[second.index("--port") + 1] == "18101"
    assert second[second.index("--host") + 1] == "127.0.0.1"
    assert second[second.index("--data-dir") + 1] == str(tmp_path / "my var" / "democlub2")
    assert first[first.index("--data-dir") + 1] != second[second.index("--data-dir") + 1]
    assert "--demo" in second


@pytest.mark.parametrize(("kind", "other"), [("condo", "grid"), ("grid", "condo")])
def test_the_demo_portals_run_the_kind_democlub_kind_names_and_the_other(tmp_path, kind, other):
    config = StackConfig.from_env({"TENNISBOOK_VAR_DIR": str(tmp_path), "DEMOCLUB_KIND": kind})
    env = environment.child_env(config, "redis://127.0.0.1:6399/0")
    processes = procfile.load()

    democlub = processes["democlub"].argv(env)
    democlub2 = processes["democlub2"].argv(env)

    assert democlub[democlub.index("--kind") + 1] == kind
    assert democlub2[democlub2.index("--kind") + 1] == other
    assert env["DEMOCLUB_KIND"] == kind  # the setup steps and the site see it too
    assert (env["DEMOCLUB_URL"], env["DEMOCLUB_SECOND_URL"]) == (
        "http://127.0.0.1:8100",
        "http://127.0.0.1:8101",
    )
    assert (env["DEMOCLUB_PORT"], env["DEMOCLUB_SECOND_PORT"]) == ("8100", "8101")


def test_a_shell_that_joins_the_stack_gets_its_demo_portal_kind(tmp_path):
    config = StackConfig.from_env({"TENNISBOOK_VAR_DIR": str(tmp_path), "DEMOCLUB_KIND": "grid"})
    env = environment.child_env(config, "redis://127.0.0.1:6399/0")
    path = tmp_path / "stack.env"

    environment.write_stack_env(path, env, with_emulator=True)

    lines = path.read_text().splitlines()
    assert "DEMOCLUB_KIND=grid" in lines
    assert "DEMOCLUB_SECOND_URL=http://127.0.0.1:8101" in lines


def test_the_booking_queue_has_a_worker_of_its_own(stack_commands):
    workers = _workers(stack_commands)

    assert {name: _queues(argv) for name, argv in workers.items()} == {
        "worker": {"booking"},
        "tasks": {"default"},
    }
    names = [argv[argv.index("-n") + 1] for argv in workers.values()]
    assert len(set(names)) == len(names), "two workers on one host need distinct node names"


def test_every_queue_a_task_is_routed_to_has_a_worker(stack_commands, settings):
    from tennisbook.celery import app

    app.loader.import_default_modules()
    routed = {
        app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if not name.startswith("celery.")
    }
    served = set().union(*(_queues(argv) for argv in _workers(stack_commands).values()))

    assert routed <= served
    assert settings.CELERY_TASK_DEFAULT_QUEUE in served


def test_docker_compose_runs_the_same_workers_as_the_procfile(stack_commands):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    compose_workers = {
        name: service["command"]
        for name, service in compose["services"].items()
        if _is_celery_worker(service.get("command", []))
    }

    expected = {name: _queues(argv) for name, argv in _workers(stack_commands).items()}
    assert {name: _queues(argv) for name, argv in compose_workers.items()} == expected
    for name, argv in compose_workers.items():
        procfile_argv = stack_commands[name]
        assert (
            argv[argv.index("--concurrency") + 1]
            == (procfile_argv[procfile_argv.index("--concurrency") + 1])
        )


def test_docker_compose_runs_both_demo_portals_like_the_procfile():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    app_env = services["web"]["environment"]

    for name, variable in (("democlub", "DEMOCLUB_URL"), ("democlub2", "DEMOCLUB_SECOND_URL")):
        command = services[name]["command"]
        port = command[command.index("--port") + 1]
        assert app_env[variable] == f"http://{name}:{port}"
        assert "--demo" in command
    kinds = []
    for name in ("democlub", "democlub2"):
        command = services[name]["command"]
        kinds.append(command[command.index("--kind") + 1])
    assert kinds == ["${DEMOCLUB_KIND:-condo}", "${DEMOCLUB_SECOND_KIND:-grid}"]


def test_a_missing_variable_is_named_instead_of_left_empty():
    (web,) = procfile.parse("web: python -m daphne -p $WEB_PORT app\n").values()

    with pytest.raises(ConfigError, match=r"web command needs \$WEB_PORT"):
        web.argv({})


def test_a_value_with_spaces_stays_one_argument():
    (beat,) = procfile.parse("beat: celery beat --schedule ${VAR}/schedule\n").values()

    assert beat.argv({"VAR": "/tmp/a b"}) == ["celery", "beat", "--schedule", "/tmp/a b/schedule"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("web python -m daphne\n", "line 1 is not `name: command`"),
        ("# comment\n\nweb: a\nweb: b\n", "line 4 repeats the process 'web'"),
    ],
)
def test_a_malformed_procfile_is_refused_with_its_line(text, message):
    with pytest.raises(ConfigError, match=message):
        procfile.parse(text)
