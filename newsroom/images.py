"""Uploaded pictures: JPEG, PNG or WebP only, of bounded bytes and pixels, checked without decoding the pixels.

An upload is refused, with a message saying why, when it is larger than ``MAX_IMAGE_BYTES``; when its content
(whatever its name says) is not a JPEG, PNG or WebP image, such as a GIF, an SVG or an HTML page named
``.png``; when its header declares more than ``MAX_IMAGE_PIXELS`` (a decompression bomb: a few hundred
kilobytes of PNG can declare 30,000 x 30,000 pixels, gigabytes once decoded); or when it is truncated or
corrupt. Only the header is read to decide the size; the integrity check reads PNG chunks and their checksums
without inflating them, and decodes a JPEG at one eighth of its size.

Pillow's own guard (``Image.MAX_IMAGE_PIXELS``: a warning above it, an error above twice it) is set to the same
limit when this module is imported, that is when the models are, so anything that opens an image in this
process (renditions, the admin, a shell) has it.
"""

import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# Pillow's format names, and the file name extensions the web server gives their content types by.
FORMATS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",)}
EXTENSIONS = [extension for extensions in FORMATS.values() for extension in extensions]
# JPEG decodes at a fraction of its size (libjpeg scales while decoding): enough to read every byte.
JPEG_CHECK_SCALE = 8

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

validate_image_extension = FileExtensionValidator(
    allowed_extensions=EXTENSIONS,
    message=gettext_lazy("Only JPEG, PNG and WebP images (%(allowed_extensions)s) can be uploaded."),
)


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def inspect_image(file) -> Image.Image:
    """Open an uploaded ``file`` (a Django ``File`` or any seekable binary stream) and check it; returns the image
    as opened (no pixels loaded), or raises ``ValidationError`` with what is wrong."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The file is %(size)s bytes; images may be at most %(limit)s bytes (%(megabytes)s MB)."),
            code="image_too_many_bytes",
            params={"size": f"{size:,}", "limit": f"{MAX_IMAGE_BYTES:,}", "megabytes": MAX_IMAGE_BYTES >> 20},
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Between the limit and twice it Pillow only warns: the pixel count is checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file, formats=list(FORMATS))
    except Image.DecompressionBombError:
        raise ValidationError(
            _("The image declares more than %(declared)s megapixels; images may have at most %(limit)s."),
            code="image_too_many_pixels",
            params={"declared": _megapixels(2 * MAX_IMAGE_PIXELS), "limit": _megapixels(MAX_IMAGE_PIXELS)},
        ) from None
    except Image.UnidentifiedImageError:
        raise ValidationError(
            _("The file is not a JPEG, PNG or WebP image (whatever its name says)."), code="image_format"
        ) from None
    except Exception as error:
        raise ValidationError(
            _("The image is truncated or corrupt (%(error)s)."), code="image_corrupt", params={"error": error}
        ) from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _(
                "The image is %(width)s x %(height)s pixels (%(declared)s megapixels); "
                "images may have at most %(limit)s."
            ),
            code="image_too_many_pixels",
            params={
                "width": width,
                "height": height,
                "declared": _megapixels(width * height),
                "limit": _megapixels(MAX_IMAGE_PIXELS),
            },
        )
    try:
        _check_integrity(image)
    except Exception as error:
        raise ValidationError(
            _("The image is truncated or corrupt (%(error)s)."), code="image_corrupt", params={"error": error}
        ) from None
    finally:
        file.seek(0)
    return image


def _check_integrity(image: Image.Image) -> None:
    """Read the whole file without decoding it at full size: PNG chunk checksums up to IEND; a JPEG decoded
    at an eighth of its width and height (it fails when its data ends early). A truncated WebP fails when
    opened."""
    if image.format == "PNG":
        image.verify()
    elif image.format == "JPEG":
        width, height = image.size
        image.draft("RGB", (max(1, width // JPEG_CHECK_SCALE), max(1, height // JPEG_CHECK_SCALE)))
        image.load()


def validate_image_file(value) -> None:
    """The validator of ``ArticleImage.image``: a new upload must pass ``inspect_image``. A file already stored
    was checked when it was uploaded, and is not read again on every save of its story."""
    if getattr(value, "_committed", False):
        return
    upload = getattr(value, "file", value)
    if getattr(upload, "newsroom_image_checked", False):
        return
    inspect_image(upload)
    upload.newsroom_image_checked = True


class ImageUploadField(forms.ImageField):
    """The form field of an image upload: ``inspect_image``'s messages, not Django's "Upload a valid image" for
    every kind of refusal (Django's field opens the file before any validator would run)."""

    default_validators = [validate_image_extension]

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        image = inspect_image(upload)
        upload.newsroom_image_checked = True
        upload.image = image  # as Django's ImageField annotates it
        upload.content_type = Image.MIME.get(image.format)
        return upload


class BoundedImageField(models.ImageField):
    """An ImageField whose forms refuse what ``inspect_image`` refuses, with its messages."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, **kwargs})
