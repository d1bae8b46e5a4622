"""What the desk's admin modules build on."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import get_language_info

from newsroom.models import Article

# URLs typed without a scheme are https (Django 6's default, adopted now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class DeskBase:
    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) links above a story's change form; each mixin adds its own and calls super()."""
        return []


def language_name(code: str) -> str:
    """The name of a language in the interface language, or its code when Django does not know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def story_or_404(model_admin, request: HttpRequest, object_id: str, *, change: bool = False) -> Article:
    """The story of an admin page, or 404; PermissionDenied unless the user may view it (or change it)."""
    article = model_admin.get_object(request, unquote(object_id))
    if article is None:
        raise Http404
    allowed = (
        model_admin.has_change_permission(request, article)
        if change
        else model_admin.has_view_permission(request, article)
    )
    if not allowed:
        raise PermissionDenied
    return article


def refuse_unavailable_actions(model_admin: admin.ModelAdmin, request: HttpRequest) -> None:
    """Raise PermissionDenied when a POST names an action the user may not run (a forged request): Django
    itself would only redirect back with "No action selected"."""
    if request.method != "POST":
        return
    allowed = model_admin.get_actions(request)
    if any(name and name not in allowed for name in request.POST.getlist("action")):
        raise PermissionDenied
