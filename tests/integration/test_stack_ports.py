"""A port taken by another program stops the start with one clear line."""

from __future__ import annotations

import socket

import pytest


@pytest.fixture
def squatter():
    """Another program listening on a loopback port."""

    def listen(port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", port))
        sock.listen()
        sockets.append(sock)
        return sock

    sockets: list[socket.socket] = []
    yield listen
    for sock in sockets:
        sock.close()


def test_a_taken_web_port_names_the_port_and_the_variable(devstack, squatter):
    stack = devstack()
    squatter(stack.web_port)

    stack.start()

    assert stack.wait_exit(timeout=30) == 2
    assert (
        f"port {stack.web_port} (web) is already in use by another program; "
        "stop it or set TENNISBOOK_SITE_URL=" in stack.output
    )
    assert not (stack.var_dir / "run" / "children.json").exists()  # nothing was started


def test_a_taken_emulator_port_names_dynamodb_endpoint_url(devstack, squatter):
    stack = devstack()
    squatter(stack.emulator_port)

    stack.start()

    assert stack.wait_exit(timeout=30) == 2
    assert f"port {stack.emulator_port} (DynamoDB/KMS emulator)" in stack.output
    assert "DYNAMODB_ENDPOINT_URL=" in stack.output
