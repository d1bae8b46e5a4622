"""Image uploads: JPEG, PNG and WebP only, bounded in bytes and pixels, refused with a clear message otherwise,
checked through the story's image inline in the admin and by the validator itself."""

import io
import resource
import struct
import time
import tracemalloc
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, PngImagePlugin

from newsroom.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, inspect_image
from newsroom.models import ArticleImage
from tests.test_admin_workflow import change_url, form_data, make_user, story

pytestmark = pytest.mark.django_db


def picture(image_format: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    """A real picture of ``size`` (noise, so it does not compress to nothing) in ``image_format``."""
    buffer = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(buffer, image_format)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of ``width`` x ``height`` pixels, all white: its rows compress ~1,000 to one,
    so 30,000 x 30,000 pixels (900 million; about a gigabyte once decoded) take about 110 KB."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter type 0, then the row's bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def declared_size(data: bytes) -> tuple[int, int]:
    """The size a PNG's header declares, read by Pillow's PNG plugin (which checks nothing about bombs)."""
    return PngImagePlugin.PngImageFile(io.BytesIO(data)).size


GIF = picture("GIF")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(client: Client, article, name: str, content: bytes):
    """POST the story's change form as a browser would, with one new picture in the image inline."""
    data = form_data(client.get(change_url(article)))
    data.update(
        {
            "images-TOTAL_FORMS": "1",
            "images-0-position": "0",
            "images-0-caption_hi": "चित्र",
            "images-0-image": SimpleUploadedFile(name, content),
        }
    )
    return client.post(change_url(article), data)


def inline_errors(response) -> list[str]:
    (inline,) = response.context["inline_admin_formsets"]
    return [message for errors in inline.formset.errors for message in errors.get("image", [])]


@pytest.fixture
def desk(media_root):
    """An Editor's logged-in client and a story without pictures."""
    client = Client()
    client.force_login(make_user("Editor"))
    return client, story()


@pytest.mark.parametrize(
    ("image_format", "name"), [("JPEG", "photo.jpg"), ("PNG", "photo.png"), ("WEBP", "photo.webp")]
)
def test_jpeg_png_and_webp_upload_through_the_admin(desk, media_root, image_format, name):
    """An editor attaches a JPEG, PNG or WebP picture to a story in the admin; the file is stored byte for byte."""
    client, article = desk
    content = picture(image_format)
    response = upload(client, article, name, content)
    assert response.status_code == 302, inline_errors(response)
    image = ArticleImage.objects.get(article=article)
    assert (image.image.width, image.image.height) == (64, 48)
    assert (media_root / image.image.name).read_bytes() == content


def test_a_decompression_bomb_is_refused_quickly_without_decoding(desk, media_root):
    """A 110 KB PNG declaring 30,000 x 30,000 pixels is refused in the admin with a message about its pixels,
    in well under a second and without the pixels being decoded (memory stays small); nothing is stored."""
    client, article = desk
    bomb = png_bomb(30_000, 30_000)
    assert declared_size(bomb) == (30_000, 30_000) and len(bomb) < 200_000

    peak_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        inspect_image(SimpleUploadedFile("bomb.png", bomb))
    seconds = time.perf_counter() - started
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_rss_before) / 1024
    assert refused.value.code == "image_too_many_pixels"
    assert seconds < 0.5
    assert python_peak < 50 * 1024 * 1024 and rss_growth_mb < 50
    print(
        f"\nbomb refused by the validator in {seconds * 1000:.1f} ms, Python peak {python_peak / 1024:.0f} KB, "
        f"peak RSS growth {rss_growth_mb:.1f} MB"
    )

    started = time.perf_counter()
    response = upload(client, article, "bomb.png", bomb)
    seconds = time.perf_counter() - started
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_rss_before) / 1024
    assert response.status_code == 200
    assert inline_errors(response) == ["The image declares more than 80 megapixels; images may have at most 40."]
    assert "The image declares more than 80 megapixels" in response.content.decode()
    assert rss_growth_mb < 50 and seconds < 5
    print(f"bomb refused through the admin in {seconds * 1000:.0f} ms, peak RSS growth {rss_growth_mb:.1f} MB")
    assert not ArticleImage.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.png"))


def test_an_image_over_the_pixel_limit_is_refused_with_its_size(desk):
    """A picture over 40 megapixels, but under the size Pillow itself refuses, is refused with its dimensions."""
    client, article = desk
    response = upload(client, article, "large.png", png_bomb(7_000, 7_000))
    assert inline_errors(response) == ["The image is 7000 x 7000 pixels (49 megapixels); images may have at most 40."]
    assert MAX_IMAGE_PIXELS == 40_000_000 and Image.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS


@pytest.mark.parametrize(("what", "content"), [("GIF", GIF), ("SVG", SVG), ("HTML", HTML)])
def test_other_content_named_png_is_refused(desk, what, content):
    """A GIF, an SVG or an HTML page named .png is refused for what it is, and nothing is stored."""
    client, article = desk
    response = upload(client, article, "photo.png", content)
    assert inline_errors(response) == ["The file is not a JPEG, PNG or WebP image (whatever its name says)."]
    assert not ArticleImage.objects.exists()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_image_is_refused(desk, image_format):
    """A picture cut off halfway (an interrupted upload or copy) is refused as truncated."""
    client, article = desk
    content = picture(image_format, (256, 256))
    response = upload(client, article, f"cut.{image_format.lower()}", content[: len(content) // 2])
    (message,) = inline_errors(response)
    assert message.startswith("The image is truncated or corrupt")
    assert not ArticleImage.objects.exists()


def test_a_picture_with_another_extension_is_refused(desk):
    """A real PNG named .gif or .svg is refused: the web server would serve it with the content type of its name."""
    client, article = desk
    for name in ("photo.gif", "photo.svg"):
        response = upload(client, article, name, picture("PNG"))
        assert "Only JPEG, PNG and WebP images (jpg, jpeg, png, webp) can be uploaded." in inline_errors(response)
    assert not ArticleImage.objects.exists()


def test_the_validator_refuses_too_many_bytes_before_reading():
    """A file over 20 MB is refused by its size, whatever it holds."""
    content = picture("JPEG") + bytes(MAX_IMAGE_BYTES)
    with pytest.raises(ValidationError) as refused:
        inspect_image(SimpleUploadedFile("huge.jpg", content))
    assert refused.value.code == "image_too_many_bytes"
    assert refused.value.messages == [
        f"The file is {len(content):,} bytes; images may be at most 20,971,520 bytes (20 MB)."
    ]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("photo.png", lambda: png_bomb(30_000, 30_000), "image_too_many_pixels"),
        ("photo.png", lambda: GIF, "image_format"),
        ("photo.png", lambda: SVG, "image_format"),
        ("photo.png", lambda: picture("PNG")[:100], "image_corrupt"),
        ("photo.gif", lambda: picture("PNG"), "invalid_extension"),
    ],
)
def test_the_model_refuses_what_the_form_refuses(media_root, name, content, code):
    """Outside the admin too (any form, a script), a new picture is checked when the image is validated."""
    image = ArticleImage(article=story(), image=SimpleUploadedFile(name, content()))
    with pytest.raises(ValidationError) as refused:
        image.full_clean()
    assert refused.value.error_dict["image"][0].code == code


def test_a_stored_picture_is_not_read_again_when_its_caption_is_edited(desk, media_root):
    """Saving a story with pictures does not re-read or re-check each stored file: an editor changes a caption
    of a story whose stored picture no longer opens (moved storage, older rules) without an error."""
    client, article = desk
    assert upload(client, article, "photo.png", picture("PNG")).status_code == 302
    image = ArticleImage.objects.get()
    (media_root / image.image.name).write_bytes(b"no longer a picture")
    data = form_data(client.get(change_url(article)))
    data["images-0-caption_hi"] = "नया कैप्शन"
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.caption_hi == "नया कैप्शन"
