import pytest

from tests.factories import make_staff


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_staff("chief", superuser=True))
    return client
