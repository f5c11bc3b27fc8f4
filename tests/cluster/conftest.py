"""The two-node test starts PostgreSQL, Redis, moto_server, two gunicorn
nodes and varnishd: a minute or two, so it runs only when asked
(``pytest --cluster -s tests/cluster`` or NEWSROOM_CLUSTER_TESTS=1), as
``.ci/run`` does last."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--cluster") or os.environ.get("NEWSROOM_CLUSTER_TESTS") == "1"
    here = os.path.dirname(__file__)
    skip = pytest.mark.skip(reason="cluster tests run with --cluster (or NEWSROOM_CLUSTER_TESTS=1)")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.cluster)
            if not wanted:
                item.add_marker(skip)
