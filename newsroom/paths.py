"""The paths of the public pages, built as ``reverse()`` builds them without its cost.

``reverse()`` walks the URL patterns and checks every argument on each call: a
listing links twenty stories, a story page its topics and tags, a sitemap
thousands of stories. Here a page's path is reversed once per language with
stand-in arguments, and later paths are that path with the real arguments put
in, percent-encoded as ``reverse()`` encodes them. The arguments must be ones
``reverse()`` accepts (a number, a slug from a ``SlugField``, a headline's
slug): they are not checked again.

Static files' URLs are remembered too (``static``).
"""

from functools import lru_cache
from urllib.parse import quote

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static as django_static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS

# Stand-ins for the arguments: digits, which every converter the public pages use (int, slug, str) accepts.
_FIRST_MARK = 918_273_640
# What ``reverse()`` leaves unencoded in a path (RFC 3986's pchar).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


@lru_cache(maxsize=256)
def _pieces(view_name: str, names: tuple[str, ...], language: str, urlconf, script_prefix: str) -> tuple[str, ...]:
    """The path of ``view_name`` in ``language`` cut at its arguments, which come in the order of ``names``:
    ``("/hi/stories/", "/", "/")`` for a story."""
    marks = {name: str(_FIRST_MARK + index) for index, name in enumerate(names)}
    with translation.override(language):
        rest = reverse(view_name, urlconf=urlconf, kwargs=marks)
    pieces = []
    for name in names:
        before, rest = rest.split(marks[name])
        pieces.append(before)
    return (*pieces, rest)


def localized_path(view_name: str, language: str, **arguments) -> str:
    """``reverse(view_name, kwargs=arguments)`` with ``language`` active; the arguments in the order the path
    has them."""
    pieces = _pieces(view_name, tuple(arguments), language, get_urlconf(), get_script_prefix())
    parts = [pieces[0]]
    for value, piece in zip(arguments.values(), pieces[1:], strict=True):
        parts += [quote(str(value), safe=_SAFE), piece]
    return "".join(parts)


@lru_cache(maxsize=64)
def static(path: str) -> str:
    """Django's ``static()``, remembered: a static file's URL stays the same while a process runs (the manifest of
    hashed names is read once), and every page asks for the same few."""
    return django_static(path)


@receiver(setting_changed)
def _static_settings_changed(setting, **kwargs):
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES"):
        static.cache_clear()
