"""Nothing but ``bookings.workflow`` writes a booking request.

Read as source, not run: every module of the project is parsed and each
call that could write the BookingRequests table (a repository's or model's
write method, a transaction) is looked for outside the workflow package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "bookings", "booker", "configs", "realtime", "tennisbook", "democlub")
WORKFLOW = ROOT / "bookings" / "workflow"
# The data layer itself (generic repositories and tables) is below the workflow.
DATA_LAYER = (ROOT / "tennisbook" / "dynamo",)

WRITE_METHODS = {"save", "update", "delete", "create", "batch_write"}
# Names through which code reaches the BookingRequests table.
REQUEST_HANDLES = {"requests_repo", "store", "BookingRequest", "BookingRequestRepository", "Claim"}


def _modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or WORKFLOW in path.parents:
                continue
            if any(layer in path.parents for layer in DATA_LAYER):
                continue
            yield path


def _receiver_name(node: ast.AST) -> str | None:
    """``x`` for ``x.save(...)``, ``X`` for ``X(...).save(...)``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver_name(node.func)
    return None


def _writes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "pynamodb.transactions":
            found.append(f"{path.name}:{node.lineno} imports TransactWrite")
        # The verbs are the workflow's interface; its write core is not.
        if isinstance(node, ast.ImportFrom) and (
            node.module == "bookings.workflow.core"
            or (node.module == "bookings.workflow" and any(a.name == "core" for a in node.names))
        ):
            found.append(f"{path.name}:{node.lineno} imports the workflow's write core")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr in WRITE_METHODS and _receiver_name(node.func.value) in REQUEST_HANDLES:
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_only_the_workflow_writes_booking_requests():
    offenders = {str(p.relative_to(ROOT)): w for p in _modules() if (w := _writes(p))}
    assert offenders == {}


def test_the_scan_would_see_a_write_outside_the_workflow(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from bookings.services import requests_repo\n"
        "def f(item):\n"
        "    requests_repo.update(item, [])\n"
        "    BookingRequest('a', 'b').update(actions=[])\n"
        "from bookings.workflow import core\n"
    )
    assert len(_writes(sneaky)) == 3
