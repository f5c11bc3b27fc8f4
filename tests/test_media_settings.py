"""Where media are stored is a setting from the environment: the local disk
by default, an S3-compatible bucket with MEDIA_STORAGE=s3; anything else, or
a bucket left out, stops the site from starting with a message saying why."""

from django.core.files.storage import storages

from articles.pictures.storage import AtomicFileSystemStorage
from tests.test_production import manage, production_env

S3 = {
    "MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "news-media",
    "AWS_S3_ENDPOINT_URL": "https://objects.example.net",
    "AWS_S3_REGION_NAME": "auto",
    "AWS_ACCESS_KEY_ID": "key-id",
    "AWS_SECRET_ACCESS_KEY": "secret",
}
SHOW_URLS = (
    "from django.core.files.storage import storages;"
    "print(storages['renditions'].url('renditions/ab/ab-480.webp'));"
    "print(storages['default'].url('heroes/photo.jpg'))"
)


def test_media_are_on_the_local_disk_unless_told_otherwise():
    assert type(storages["default"]) is AtomicFileSystemStorage
    assert type(storages["renditions"]) is AtomicFileSystemStorage


def test_media_storage_s3_puts_the_media_in_the_bucket_named_by_the_environment(tmp_path):
    env = production_env(tmp_path, **S3)

    checked = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    shown = manage(env, "shell", "-v0", "-c", SHOW_URLS)

    assert checked.returncode == 0, checked.stderr
    assert shown.returncode == 0, shown.stderr
    rendition, upload = shown.stdout.split()
    assert rendition == "https://objects.example.net/news-media/renditions/ab/ab-480.webp"
    assert upload == "https://objects.example.net/news-media/heroes/photo.jpg"


def test_a_cdn_domain_serves_the_media_and_signed_uploads_stay_on_the_store(tmp_path):
    env = production_env(tmp_path, **S3, AWS_S3_CUSTOM_DOMAIN="media.example.org")

    rendition, upload = manage(env, "shell", "-v0", "-c", SHOW_URLS).stdout.split()
    assert rendition == "https://media.example.org/renditions/ab/ab-480.webp"
    assert upload == "https://media.example.org/heroes/photo.jpg"

    env["AWS_QUERYSTRING_AUTH"] = "true"
    rendition, upload = manage(env, "shell", "-v0", "-c", SHOW_URLS).stdout.split()
    assert rendition == "https://media.example.org/renditions/ab/ab-480.webp"
    assert upload.startswith("https://objects.example.net/news-media/heroes/photo.jpg?")
    assert "X-Amz-Signature=" in upload


def test_an_unknown_media_storage_or_a_missing_bucket_stops_the_start(tmp_path):
    unknown = manage(production_env(tmp_path, MEDIA_STORAGE="nfs"), "check")
    no_bucket = manage(production_env(tmp_path, MEDIA_STORAGE="s3"), "check")

    assert unknown.returncode != 0
    assert "MEDIA_STORAGE='nfs': use 'local' (MEDIA_ROOT) or 's3'" in unknown.stderr
    assert no_bucket.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in no_bucket.stderr
