"""The pieces of the two-node test that the fault, edge and storage tests do
not already have: an app node (gunicorn run from a folder of its own, with its
own temporary folder and static files, media in the bucket) and an editor
who logs in to one node's admin and saves stories through it, as a browser
would."""

import contextlib
import json
import os
import signal
import time
import uuid
from datetime import datetime, timedelta
from http.client import HTTPConnection
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tests.edge.harness import request
from tests.faults.harness import CHECKOUT, Gunicorn, manage, site_environment

TIME_ZONE = ZoneInfo("Europe/London")  # the site's default TIME_ZONE: the form's boxes


class Node:
    """One app node: gunicorn with the production settings, started from its
    own folder with its own temporary folder, static files and (unused) media
    root: nothing on disk is shared with the other node."""

    def __init__(self, name, workdir, database_url, cache_url, s3, secret_key):
        self.name = name
        self.folder = workdir / name
        (self.folder / "tmp").mkdir(parents=True)
        self.env = site_environment(CHECKOUT, self.folder, database_url, cache_url)
        self.env.update(
            # The shipped probe asks for news.example.org.
            ALLOWED_HOSTS="127.0.0.1,localhost,news.example.org",
            # One for all nodes: sessions, signed preview links and the
            # renditions' names (an HMAC of the upload's) must agree.
            SECRET_KEY=secret_key,
            TMPDIR=str(self.folder / "tmp"),
            HOME=str(self.folder),  # gunicorn's control socket: ~/.gunicorn/gunicorn.ctl
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME=s3["bucket"],
            AWS_S3_ENDPOINT_URL=s3["endpoint"],
            AWS_S3_REGION_NAME=s3["region"],
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        self.site = Gunicorn(self.env, self.folder, cwd=self.folder)

    @property
    def port(self):
        return self.site.port

    def manage(self, *args):
        return manage(CHECKOUT, self.env, *args)

    def start(self):
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.site.start()
        self.workers = []

    def kill_master(self):
        """``kill -9`` the gunicorn master. Its workers finish the request in
        hand and leave once they see their parent gone."""
        pid = self.site.process.pid
        children = f"/proc/{pid}/task/{pid}/children"
        with open(children) as listing:
            self.workers = [int(child) for child in listing.read().split()]
        os.kill(pid, signal.SIGKILL)
        self.site.process.wait(5)

    def stop(self):
        self.site.stop()
        for worker in self.workers:  # ours: kill any worker that outlived its master
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)


def python(node, code):
    """Run ``code`` in a Django shell with the node's settings; its JSON output."""
    return json.loads(node.manage("shell", "--no-imports", "-c", code).strip().splitlines()[-1])


SETUP = """
import json
from django.contrib.auth import get_user_model
from articles.models import Article
user, _ = get_user_model().objects.get_or_create(
    username="cluster-editor", defaults={"is_staff": True, "is_superuser": True})
user.set_password("cluster-password-5b1e")
user.save()
story = Article.objects.published().newest_first().first()
author, tag = story.authors.first(), story.tags.first()
print(json.dumps({
    "section": story.section_id, "author": author.pk, "tag": tag.name,
    "pages": {
        "home": "/", "section": story.section.get_absolute_url(),
        "author": author.get_absolute_url(), "tag": tag.get_absolute_url(),
        "feed": "/feed/", "sitemap": "/news-sitemap.xml",
    },
    "stories": [a.get_absolute_url() for a in Article.objects.published().newest_first()[:4]],
}))
"""


def saved_slugs(node, prefix):
    code = (
        "import json; from articles.models import Article; print(json.dumps(list("
        f"Article.objects.filter(slug__startswith={prefix!r}).values_list('slug', flat=True))))"
    )
    return set(python(node, code))


def multipart(fields, files):
    """``multipart/form-data`` of ``fields`` and ``files`` ({name: (filename, bytes)})."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        disposition = f'Content-Disposition: form-data; name="{name}"'
        parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Editor:
    """A superuser logged in to one node's admin (directly, not through the
    edge), saving new stories with its add form."""

    def __init__(self, node, username="cluster-editor", password="cluster-password-5b1e"):
        self.node = node
        form = request(node.port, "/admin/login/")
        csrf = form.cookies()["csrftoken"]
        self.token = csrf.split("=", 1)[1]  # the unmasked secret is a valid form token
        body = urlencode({"csrfmiddlewaretoken": self.token, "username": username,
                          "password": password, "next": "/admin/"})  # fmt: skip
        logged_in = request(node.port, "/admin/login/?next=/admin/", method="POST",
                            headers={"Cookie": csrf, **FORM}, body=body.encode())  # fmt: skip
        assert logged_in.status == 302, logged_in.text[:500]
        self.cookie = f"{csrf}; {logged_in.cookies()['sessionid']}"

    def publish(self, site, headline, slug, picture=None, timeout=10):
        """Add a published story like the site's newest; the response, or
        None when the node did not answer (refused, reset, timed out)."""
        now = datetime.now(TIME_ZONE) - timedelta(seconds=2)
        fields = {
            "csrfmiddlewaretoken": self.token,
            "headline": headline,
            "slug": slug,
            "dek": "Published on one node of two.",
            "section": site["section"],
            "status": "published",
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": now.strftime("%H:%M:%S"),
            "body": "<p>Published on one node of two.</p>",
            "tags": site["tag"],
            "hero_caption": "A test picture" if picture else "",
            "hero_credit": "Newsroom" if picture else "",
            "hero_alt": "Red and blue halves" if picture else "",
            "bylines-TOTAL_FORMS": "1",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
            "bylines-0-author": site["author"],
            "bylines-0-position": "0",
            "quotes-TOTAL_FORMS": "0",
            "quotes-INITIAL_FORMS": "0",
            "quotes-MIN_NUM_FORMS": "0",
            "quotes-MAX_NUM_FORMS": "1000",
        }
        if picture:
            body, content_type = multipart(fields, {"hero_image": ("hero.jpg", picture)})
        else:
            body, content_type = urlencode(fields).encode(), FORM["Content-Type"]
        connection = HTTPConnection("127.0.0.1", self.node.port, timeout=timeout)
        try:
            headers = {"Cookie": self.cookie, "Content-Type": content_type}
            connection.request("POST", "/admin/articles/article/add/", body=body, headers=headers)
            response = connection.getresponse()
            page = response.read().decode(errors="replace")
            return response.status, page
        except OSError:
            return None
        finally:
            connection.close()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def wait_until(predicate, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
