import json
import re
from datetime import datetime

import pytest
from django.utils import timezone

from articles.html import anchor_crossheads
from articles.models import Article, Expert
from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = pytest.mark.django_db

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def _json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def _meta(html, key):
    return re.findall(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)


def test_article_json_ld_is_a_news_article_with_ordered_bylines_and_dates(client):
    first = make_author(name="Maria Lindqvist", role="Correspondent")
    second = make_author(name="Tomás Okafor")
    article = make_article(
        dek="Leaders & followers",
        section=make_section(name="World"),
        authors=[first, second],
        tags=["Finland", "Diplomacy"],
        published_at=timezone.make_aware(datetime(2023, 5, 8, 18, 10)),
    )
    # Stored as typed (a row from before headlines were cleaned): the JSON-LD
    # block must still hold it as data, not end at its "</script>".
    Article.objects.filter(pk=article.pk).update(
        headline="Summit </script><script>alert(1)</script> ends"
    )

    html = client.get(article.get_absolute_url()).content.decode()
    data = _json_ld(html)

    assert "<script>alert(1)</script>" not in html
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Summit </script><script>alert(1)</script> ends"
    assert data["description"] == "Leaders & followers"
    assert data["datePublished"] == "2023-05-08T18:10:00+01:00"
    assert ISO_WITH_OFFSET.match(data["dateModified"])
    assert data["dateModified"] >= data["datePublished"]
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Maria Lindqvist",
            "url": f"http://testserver{first.get_absolute_url()}",
            "jobTitle": "Correspondent",
        },
        {
            "@type": "Person",
            "name": "Tomás Okafor",
            "url": f"http://testserver{second.get_absolute_url()}",
        },
    ]
    assert data["articleSection"] == "World"
    assert sorted(data["keywords"]) == ["Diplomacy", "Finland"]
    assert data["publisher"]["name"] == "The Newsroom"
    assert data["mainEntityOfPage"]["@id"] == f"http://testserver{article.get_absolute_url()}"
    assert "correction" not in data


def test_corrections_appear_as_correction_comments_and_move_date_modified(
    client, django_assert_max_num_queries
):
    from articles.models import Correction

    article = make_article(published_at=timezone.make_aware(datetime(2023, 5, 8, 18, 10)))
    first = Correction.objects.create(
        article=article,
        kind=Correction.Kind.CORRECTION,
        text="An earlier version misspelt the minister's name.",
        created_at=timezone.make_aware(datetime(2023, 5, 9, 9, 30)),
    )
    second = Correction.objects.create(
        article=article,
        kind=Correction.Kind.UPDATE,
        text="Adds the ministry's response.",
        created_at=timezone.make_aware(datetime(2023, 5, 10, 12, 0)),
    )
    # Stored as typed (from before corrections were cleaned): still data in JSON-LD.
    Correction.objects.filter(pk=second.pk).update(text="Adds the ministry's </script> response.")

    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    data = _json_ld(html)

    story_url = f"http://testserver{article.get_absolute_url()}"
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Correction: An earlier version misspelt the minister's name.",
            "datePublished": "2023-05-09T09:30:00+01:00",
            "url": f"{story_url}#correction-{first.pk}",
        },
        {
            "@type": "CorrectionComment",
            "text": "Update: Adds the ministry's </script> response.",
            "datePublished": "2023-05-10T12:00:00+01:00",
            "url": f"{story_url}#correction-{second.pk}",
        },
    ]
    assert f'id="correction-{first.pk}"' in html
    assert data["dateModified"] == "2023-05-10T12:00:00+01:00"
    assert _meta(html, "article:modified_time") == ["2023-05-10T12:00:00+01:00"]


def test_article_page_has_canonical_opengraph_and_twitter_tags(client):
    article = make_article(headline='The "big" story', dek="What happened", tags=["Ports"])
    html = client.get(article.get_absolute_url() + "?utm_source=feed").content.decode()
    canonical = f"http://testserver{article.get_absolute_url()}"

    assert f'<link rel="canonical" href="{canonical}">' in html
    assert _meta(html, "og:type") == ["article"]
    assert _meta(html, "og:title") == ["The &quot;big&quot; story"]
    assert _meta(html, "og:url") == [canonical]
    assert _meta(html, "og:description") == ["What happened"]
    assert _meta(html, "article:tag") == ["Ports"]
    assert ISO_WITH_OFFSET.match(_meta(html, "article:published_time")[0])
    # A story without a picture is shared with its generated card, at full size.
    assert _meta(html, "twitter:card") == ["summary_large_image"]
    assert _meta(html, "og:image") == [f"{canonical}share-16x9.png"]
    assert _meta(html, "twitter:title") == ["The &quot;big&quot; story"]


def test_json_ld_is_inert_data_with_no_nonce_so_renders_are_byte_identical(client):
    from django.core.cache import cache

    article = make_article()
    first = client.get(article.get_absolute_url())
    cache.clear()  # render the page again rather than serving it from the page cache
    second = client.get(article.get_absolute_url())
    assert '<script type="application/ld+json">' in first.text
    assert first.content == second.content
    # Nothing executable is inline: the CSP needs no exception for the JSON-LD.
    assert re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>", first.text) == []


def test_author_page_has_profile_page_json_ld(client):
    author = make_author(name="Hannah Reyes", role="Business reporter", bio="Ports and shipping.")
    make_article(authors=[author])
    html = client.get(author.get_absolute_url()).content.decode()
    data = _json_ld(html)
    assert data["@type"] == "ProfilePage"
    assert data["mainEntity"]["@type"] == "Person"
    assert data["mainEntity"]["name"] == "Hannah Reyes"
    assert data["mainEntity"]["jobTitle"] == "Business reporter"
    assert data["mainEntity"]["description"] == "Ports and shipping."
    assert data["mainEntity"]["url"] == f"http://testserver{author.get_absolute_url()}"
    assert f'<link rel="canonical" href="http://testserver{author.get_absolute_url()}">' in html


# -- In this story --------------------------------------------------------------

LONG_BODY = (
    "<p>Intro.</p><h2>What the <em>president</em> said</h2><p>a</p>"
    "<h2>Money &amp; markets</h2><p>b</p><h2>What next</h2><p>c</p>"
    "<h2>What next</h2><p>d</p>"
)


def test_in_this_story_lists_three_or_more_crossheads_as_links_to_their_anchors(client):
    article = make_article(body=LONG_BODY)
    html = client.get(article.get_absolute_url()).content.decode()

    nav = re.search(r'<nav class="in-this-story".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', nav)
    assert links == [
        ("what-the-president-said", "What the president said"),
        ("money-markets", "Money &amp; markets"),
        ("what-next", "What next"),
        ("what-next-2", "What next"),
    ]
    for anchor, _ in links:
        assert html.count(f'id="{anchor}"') == 1
    assert '<h2 id="what-the-president-said">What the <em>president</em> said</h2>' in html
    # The stored body stays clean: ids are added for readers only.
    article.refresh_from_db()
    assert "id=" not in article.body


def test_two_crossheads_get_anchors_but_no_in_this_story_list(client):
    article = make_article(body="<h2>One</h2><p>a</p><h2>Two</h2><p>b</p>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "In this story" not in html
    assert '<h2 id="one">One</h2>' in html and '<h2 id="two">Two</h2>' in html


def test_crosshead_anchors_are_stable_and_never_clash_with_the_page():
    body = "<h2>Main</h2><h2>!!!</h2><h2>Ääkköset</h2><h2>In this story</h2>"
    first = anchor_crossheads(body)
    assert [c.anchor for c in first.crossheads] == [
        "main-2",
        "part",
        "ääkköset",
        "in-this-story-2",
    ]
    assert anchor_crossheads(body) == first
    assert anchor_crossheads("").crossheads == ()


def test_expert_page_has_profile_page_json_ld_about_a_person(client):
    expert = make_expert(
        name="Noor Haddad",
        title="professor of economics",
        affiliation="University of Eastmoor",
        bio="Noor researches trade flows & inflation.",
        link="https://eastmoor.example.edu/people/haddad",
    )
    make_article(quotes=[(expert, "Cheaper freight feeds through to shop prices.")])
    url = f"http://testserver{expert.get_absolute_url()}"

    html = client.get(expert.get_absolute_url()).content.decode()

    data = _json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "ProfilePage"
    assert data["url"] == url
    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Noor Haddad",
        "url": url,
        "jobTitle": "professor of economics",
        "affiliation": {"@type": "Organization", "name": "University of Eastmoor"},
        "description": "Noor researches trade flows & inflation.",
        "sameAs": ["https://eastmoor.example.edu/people/haddad"],
    }
    assert f'<link rel="canonical" href="{url}">' in html
    assert _meta(html, "og:type") == ["profile"]
    assert _meta(html, "og:title") == ["Noor Haddad"]


def test_expert_json_ld_leaves_out_what_the_desk_has_not_filled_in(client):
    expert = make_expert(name="Samuel Berg", title="", affiliation="", bio="", link="")

    data = _json_ld(client.get(expert.get_absolute_url()).content.decode())

    assert data["mainEntity"] == {
        "@type": "Person",
        "name": "Samuel Berg",
        "url": f"http://testserver{expert.get_absolute_url()}",
    }


def test_expert_json_ld_cannot_break_out_of_its_script_element(client):
    expert = make_expert(name="Eve")
    # Saving removes markup from the field; a write that bypasses save() does not.
    sneaky = "</script><script>alert(1)</script>"
    Expert.objects.filter(pk=expert.pk).update(affiliation=sneaky)

    html = client.get(expert.get_absolute_url()).content.decode()

    data = _json_ld(html)  # still exactly one block, and it parses
    assert data["mainEntity"]["affiliation"]["name"] == sneaky
    assert "<script>alert" not in html
