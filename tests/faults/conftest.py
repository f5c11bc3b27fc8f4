"""The fault tests start servers and break them: minutes, not seconds, so they
run only when asked (``pytest --faults tests/faults`` or NEWSROOM_FAULTS=1),
as ``.ci/run`` does after the PostgreSQL pass."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--faults") or os.environ.get("NEWSROOM_FAULTS") == "1"
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="fault tests run with --faults (or NEWSROOM_FAULTS=1)")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.faults)
            if not wanted:
                item.add_marker(skip)
