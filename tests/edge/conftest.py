"""The edge tests start gunicorn, Redis and varnishd (Debian's varnish and
varnish-modules): a minute or two, so they run only when asked
(``pytest --edge -s tests/edge`` or NEWSROOM_EDGE_TESTS=1), as ``.ci/run``
does after the fault tests."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--edge") or os.environ.get("NEWSROOM_EDGE_TESTS") == "1"
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="edge tests run with --edge (or NEWSROOM_EDGE_TESTS=1)")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.edge)
            if not wanted:
                item.add_marker(skip)
