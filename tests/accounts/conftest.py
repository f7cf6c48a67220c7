from tests.api.fixtures import _fresh_limits, anon, as_member, as_operator, as_other_member  # noqa: F401
