"""The object store failing under an editor: an upload while it is down, or
cut off half-way, is a form error with nothing saved, neither a row nor half an
object; once the upload is stored, the save needs the store no more; a reader
page still renders; check_media says the store is down rather than judging
the files."""

import io
import socket
import threading

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from articles.models import Author
from articles.pictures.uploads import NOT_STORED, SafeImageFormField
from tests.storage.conftest import Media
from tests.test_images import _jpeg
from tests.test_media_storage import add_author

pytestmark = [pytest.mark.storage, pytest.mark.django_db]


class CuttingProxy:
    """Passes connections on to the S3 server but closes each one after the
    first ``limit`` bytes the client sent: an upload cut off half-way, as a
    network or a store failing mid-request does."""

    def __init__(self, upstream_port, limit):
        self.upstream_port, self.limit = upstream_port, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.cut = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._pass_on, args=(connection,), daemon=True).start()

    def _pass_on(self, connection):
        with connection, socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
            sent = 0
            while sent < self.limit:
                data = connection.recv(min(65536, self.limit - sent))
                if not data:
                    return
                upstream.sendall(data)
                sent += len(data)
            self.cut += 1

    def close(self):
        self.listener.close()


@pytest.fixture
def media_on_own_server(own_s3_server, settings, monkeypatch):
    return Media(own_s3_server, settings, monkeypatch)


def test_an_upload_while_the_store_is_down_is_a_form_error_and_saves_nothing(
    superuser_client, client, media_on_own_server
):
    media = media_on_own_server
    earlier = Author.objects.create(name="Maria Lindqvist", slug="maria-lindqvist")
    earlier.photo.save("maria.jpg", ContentFile(_jpeg(600, 600)))
    cache.clear()  # no picture plan cached: the page must ask the store
    media.server.stop()

    response = add_author(superuser_client)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["photo"] == [NOT_STORED]
    assert list(Author.objects.values_list("slug", flat=True)) == ["maria-lindqvist"]
    # Readers still get the page, without the picture.
    page = client.get(earlier.get_absolute_url())
    assert page.status_code == 200
    assert "<picture>" not in page.content.decode()
    # check_media cannot judge the files: it says so, and removes nothing.
    with pytest.raises(CommandError, match="The media storage did not answer"):
        call_command("check_media", "--repair", stdout=io.StringIO())


def test_an_upload_cut_off_half_way_is_a_form_error_and_leaves_no_object(superuser_client, media):
    proxy = CuttingProxy(media.server.port, limit=4000)
    media.use(media.bucket, AWS_S3_ENDPOINT_URL=proxy.endpoint)
    try:
        response = add_author(superuser_client, content=_jpeg(900, 600))
    finally:
        proxy.close()

    assert proxy.cut >= 1  # the PUT did start, and was cut
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["photo"] == [NOT_STORED]
    assert not Author.objects.exists()
    assert media.names() == []  # asked of the server itself: no half object


def test_once_the_upload_is_stored_the_save_needs_the_store_no_more(
    superuser_client, media_on_own_server, monkeypatch
):
    media = media_on_own_server
    stage = SafeImageFormField.stage

    def stage_then_fail(self, clean):
        staged = stage(self, clean)
        media.server.stop()  # between the form's validation and the model's save
        return staged

    monkeypatch.setattr(SafeImageFormField, "stage", stage_then_fail)

    response = add_author(superuser_client, content=_jpeg(900, 600))

    assert response.status_code == 302
    assert Author.objects.get().photo.name.startswith("authors/")
