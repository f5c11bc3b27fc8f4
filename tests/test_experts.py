"""The expert form in the admin."""

import pytest

from articles.models import Expert

pytestmark = pytest.mark.django_db


def test_expert_link_typed_without_a_scheme_is_stored_as_https(superuser_client):
    response = superuser_client.post(
        "/admin/articles/expert/add/",
        {
            "name": "Ana Ribeiro",
            "slug": "ana-ribeiro",
            "title": "Researcher in energy policy",
            "affiliation": "Lisbon Energy Institute",
            "bio": "",
            "link": "example.org/people/ana-ribeiro",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Expert.objects.get(slug="ana-ribeiro").link == "https://example.org/people/ana-ribeiro"


def test_expert_link_with_a_scheme_is_kept_as_typed(superuser_client):
    superuser_client.post(
        "/admin/articles/expert/add/",
        {"name": "Ben Okafor", "slug": "ben-okafor", "link": "http://example.org/ben"},
    )

    assert Expert.objects.get(slug="ben-okafor").link == "http://example.org/ben"
