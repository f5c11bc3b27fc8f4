import json
import pytest
from datetime import timedelta
from django.utils import timezone
from articles.models import Article, Tag
from tests.browser.conftest import admin_login
from tests.browser.test_reader_accessibility import _axe
from tests.factories import ensure_roles, make_article, make_author, make_editor, make_section, make_expert

pytestmark = pytest.mark.django_db(transaction=True)

def test_explore(browser, live_server):
    ctx = browser.new_context(bypass_csp=True, viewport={"width":1280,"height":900})
    page = ctx.new_page()
    ensure_roles()
    ed = make_editor("eddie"); ed.is_superuser=True; ed.save()
    world = make_section(name="World", slug="world")
    maria = make_author(name="Maria Lindqvist", slug="maria")
    ex = make_expert(name="Elias Varga", slug="elias", link="https://www.example.org/varga")
    story = make_article(headline="Review me: Night ferry", section=world, authors=[maria], quotes=[(ex,"Q")], tags=["Ships"], status=Article.Status.IN_REVIEW, published_at=None)
    make_article(headline="Corrected", section=world, authors=[maria])
    admin_login(page, live_server, "eddie")
    for url in [f"/admin/articles/article/{story.pk}/change/", "/admin/articles/article/add/", "/admin/articles/tag/", f"/admin/articles/tag/{Tag.objects.get().pk}/change/"]:
        for w in (1280,):
            page.set_viewport_size({"width": w, "height": 844})
            page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            v = _axe(page); print(page.evaluate("""() => [...document.querySelectorAll(".select2-selection--multiple > ul, .field-tags .select2, .field-published_at, .field-body .ProseMirror")].map(e => e.outerHTML.slice(0,1500))"""))
            print(url, w, json.dumps([x for x in v], indent=1))
