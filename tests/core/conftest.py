from tests.audit.conftest import world  # noqa: F401  (the route matrix's world: every route has something to act on)
