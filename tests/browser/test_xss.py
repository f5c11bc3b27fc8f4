"""Stored XSS: every payload of tests/data/xss_payloads.txt is saved through the
admin into every text field an editor fills in (and into tag names); then
Chromium opens the public pages. Nothing may run: no dialog, no window flag,
no Content-Security-Policy violation (which would mean markup survived the
sanitiser and only the policy stopped it), no injected element or attribute."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles.models import Article, Author, Expert, Tag
from tests.browser.test_csp import collect_csp_violations
from tests.factories import make_section, make_staff
from tests.test_admin import article_form_data

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOADS = [
    line
    for line in (Path(__file__).parent.parent / "data" / "xss_payloads.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line and not line.startswith("# ")
]

# Run in the page after load: everything a surviving payload would leave behind.
FIND_INJECTIONS = """() => {
    const found = [];
    const dangerousTags = new Set(["script", "iframe", "object", "embed", "svg", "math",
        "style", "base", "form", "input", "button", "select", "textarea", "video", "audio",
        "source", "details", "marquee", "template", "noscript", "xmp", "noembed", "frame",
        "frameset", "applet", "image", "foreignobject", "animate", "set", "link", "meta"]);
    const urlAttributes = new Set(["href", "src", "action", "formaction", "data", "srcdoc",
        "xlink:href", "poster", "background", "cite", "srcset"]);
    for (const element of document.querySelectorAll("*")) {
        const tag = element.tagName.toLowerCase();
        if (tag === "script") {
            // Our own: JSON-LD data blocks that still parse, and files from /static/.
            if (element.type === "application/ld+json") {
                try { JSON.parse(element.textContent); }
                catch (error) { found.push("broken JSON-LD: " + element.textContent.slice(0, 80)); }
            } else if (!(element.getAttribute("src") || "").startsWith("/static/")) {
                found.push("script: " + element.outerHTML.slice(0, 80));
            }
            continue;
        }
        // Our renditions: <picture><source srcset="/media/...">.
        const ownSource = tag === "source" && element.parentElement.tagName === "PICTURE"
            && (element.getAttribute("srcset") || "").startsWith("/media/");
        // Inside the page's content (the masthead's search form is our own).
        if (dangerousTags.has(tag) && element.closest("main") !== null && !ownSource) {
            found.push("element: " + element.outerHTML.slice(0, 80));
        }
        if (tag === "img" && !(element.getAttribute("src") || "").startsWith("/media/")) {
            found.push("img: " + element.outerHTML.slice(0, 80));
        }
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const value = attribute.value.toLowerCase().replace(/\\s/g, "");
            if (name.startsWith("on") || name === "style" || name === "srcdoc") {
                found.push("attribute: " + name + " on " + tag);
            }
            if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
                found.push("URL: " + name + "=" + attribute.value.slice(0, 60));
            }
        }
        if (tag === "a" && element.target === "_blank" && !/noopener/.test(element.rel)) {
            found.push("link without noopener: " + element.outerHTML.slice(0, 80));
        }
    }
    if (window.__xss) found.push("window.__xss was set");
    return found;
}"""


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    return SimpleUploadedFile("hero.png", buffer.getvalue(), "image/png")


def saved(response):
    """Saved (a redirect), or refused with a form error: never a server error."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200 and response.context and "adminform" in response.context:
        print(response.context["adminform"].form.errors)
    return response.status_code == 302


def pairs():
    """The payloads two by two: each object gets a pair, in both orders, so
    every payload reaches every field and also starts a field's value."""
    for j in range(0, len(PAYLOADS), 2):
        yield j // 2, PAYLOADS[j], PAYLOADS[(j + 1) % len(PAYLOADS)]


def save_payloads_through_the_admin():
    """Returns the public URLs that show what was saved."""
    client = Client()
    client.force_login(make_staff("chief", superuser=True))
    section = make_section(name="World", slug="world")
    urls = ["/", "/?page=2", "/section/world/", "/authors/"]
    tag_add, author_add, expert_add, article_add = (
        reverse(f"admin:articles_{model}_add") for model in ("tag", "author", "expert", "article")
    )
    for j, a, b in pairs():
        for k, name in enumerate((a, b)):
            saved(client.post(tag_add, {"name": name[:100], "slug": f"xss-{j}-{k}"}))
        author = {"name": f"Writer {j}", "slug": f"writer-{j}", "is_active": "on"}
        author.update(role=a[:200], bio=f"{a}\n\n{b}")
        assert saved(client.post(author_add, author))
        expert = {"name": f"Expert {j}", "slug": f"expert-{j}", "link": "https://example.org/"}
        expert.update(title=a[:200], affiliation=b[:200], bio=f"{b}\n\n{a}")
        assert saved(client.post(expert_add, expert))
        quoted = Expert.objects.get(slug=f"expert-{j}")
        data = article_form_data(
            section,
            authors=[Author.objects.get(slug=f"writer-{j}")],
            quotes=[(quoted, a), (quoted, b)],
            headline=f"Story {j}",
            slug=f"story-{j}",
            # Words before the payloads: the publish checklist wants a standfirst
            # and alt text, and some payloads are nothing but markup.
            dek=f"Standfirst {j}: {a} {b}",
            hero_caption=f"{b} {a}",
            hero_credit=f"{a} {b}"[:200],
            hero_alt=f"Harbour {j}: {b} {a}",
            body=f"<h2>Part {j}</h2><p>Story {j} begins.</p><p>{a}</p><p>{b}</p>",
            tags="",
            hero_image=png(),
            _publish_now="Publish now",
        )
        data.update({"quotes-0-context": b, "quotes-1-context": a})
        data["quotes-1-kind"] = "paraphrase"
        assert saved(client.post(article_add, data))
        article = Article.objects.get(slug=f"story-{j}")
        article.tags.add(*Tag.objects.filter(slug__startswith=f"xss-{j}-"))
        urls += [article.get_absolute_url(), f"/authors/writer-{j}/", f"/experts/expert-{j}/"]
        if j % 4 == 0:
            urls += [tag.get_absolute_url() for tag in article.tags.all()]
    assert Article.objects.published().count() == len(PAYLOADS) // 2 + len(PAYLOADS) % 2
    return urls


def test_no_stored_payload_runs_on_any_public_page(page, live_server):
    assert len(PAYLOADS) >= 50
    import time

    t0 = time.time()
    urls = save_payloads_through_the_admin()
    print("admin", time.time() - t0)
    t0 = time.time()

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    violations = collect_csp_violations(page)
    injections = {}
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        found = page.evaluate(FIND_INJECTIONS)
        if found:
            injections[url] = found

    assert dialogs == []
    assert violations == []
    assert injections == {}
