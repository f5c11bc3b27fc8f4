"""The object store answers like the disk does: a missing object is
``FileNotFoundError``, a store that refuses is ``StorageUnavailable`` (an
``OSError``) raised by the call that asked, and a folder lists with each
file's time."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from articles.pictures.storage import StorageUnavailable
from tests.storage.conftest import Media

pytestmark = pytest.mark.storage


def test_a_missing_object_is_file_not_found_as_on_a_disk(media):
    storage = storages["default"]

    assert not storage.exists("authors/missing.jpg")
    for operation in (storage.open, storage.size, storage.get_modified_time):
        with pytest.raises(FileNotFoundError):
            operation("authors/missing.jpg")
    storage.delete("authors/missing.jpg")  # as Django's own storages: no error


def test_a_store_that_refuses_is_an_os_error(media):
    media.use("no-such-bucket")

    with pytest.raises(StorageUnavailable) as refused:
        storages["default"].save("authors/photo.jpg", ContentFile(b"bytes"))
    assert isinstance(refused.value, OSError)
    assert "NoSuchBucket" in str(refused.value)


def test_files_in_lists_every_object_under_a_folder_with_its_time(media):
    storage = storages["renditions"]
    storage.save("renditions/ab/one.jpg", ContentFile(b"1"))
    storage.save("renditions/cd/two.jpg", ContentFile(b"2"))
    storage.save("authors/three.jpg", ContentFile(b"3"))

    listed = dict(storage.files_in("renditions"))

    assert sorted(listed) == ["renditions/ab/one.jpg", "renditions/cd/two.jpg"]
    assert all(abs(modified - time.time()) < 120 for modified in listed.values())
    assert sorted(name for name, _ in storage.files_in("")) == [
        "authors/three.jpg",
        *sorted(listed),
    ]


def test_a_folder_inside_the_bucket_holds_the_media_and_names_leave_it_out(media):
    media.use(media.bucket, AWS_LOCATION="site-one")
    storage = storages["renditions"]

    name = storage.save("renditions/ab/one.jpg", ContentFile(b"1"))

    assert name == "renditions/ab/one.jpg"
    assert media.names() == ["site-one/renditions/ab/one.jpg"]
    assert [listed for listed, _ in storage.files_in("renditions")] == [name]
    assert storage.url(name) == f"{media.server.endpoint}/{media.bucket}/site-one/{name}"


def test_open_reads_the_whole_object_so_a_failure_is_raised_by_open(
    own_s3_server, settings, monkeypatch
):
    Media(own_s3_server, settings, monkeypatch)
    storages["default"].save("authors/one.jpg", ContentFile(b"the whole picture"))
    handle = storages["default"].open("authors/one.jpg")

    own_s3_server.stop()

    with handle:
        assert handle.read() == b"the whole picture"
    with pytest.raises(StorageUnavailable):
        storages["default"].open("authors/one.jpg")
