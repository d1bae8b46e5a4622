"""Static files in production: collected with hashed names, compressed, served by WhiteNoise with long caching."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

HASHED_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def collected(tmp_path, settings):
    """collectstatic into a temporary STATIC_ROOT with the production storage."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = HASHED_STORAGE
    call_command("collectstatic", "--noinput", stdout=StringIO())
    return tmp_path


def test_collectstatic_writes_hashed_and_compressed_files(collected):
    """The stylesheet gets a content-hashed name and a gzip twin; the page links the hashed name."""
    url = static("newsroom/site.css")
    assert url.startswith("/static/newsroom/site.") and url != "/static/newsroom/site.css"
    hashed = collected / url.removeprefix("/static/")
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists()


@pytest.mark.django_db
def test_whitenoise_serves_hashed_files_compressed_and_immutable(collected):
    """A hashed file is served gzip-compressed with a year-long immutable Cache-Control."""
    url = static("newsroom/site.css")
    with override_settings(STATIC_ROOT=collected, STORAGES=HASHED_STORAGE):
        # A new client builds a new handler, so WhiteNoise indexes the freshly collected files.
        response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
        page = Client().get("/en/").content.decode()
    assert f'href="{url}"' in page


@pytest.mark.django_db
@pytest.mark.uncached
def test_pages_link_static_files_under_the_current_settings(client, settings):
    """The pages' static URLs are remembered by each process (``paths.static``) and forgotten when the static
    settings change: a page links what Django's ``static()`` gives under the settings of the moment."""
    before = static("newsroom/site.css")
    assert f'href="{before}"' in client.get("/en/").content.decode()
    settings.STATIC_URL = "/assets/"
    after = static("newsroom/site.css")
    assert after.startswith("/assets/") and after != before
    page = client.get("/en/").content.decode()
    assert f'href="{after}"' in page and f'href="{before}"' not in page
