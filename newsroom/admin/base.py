"""What the desk's admin modules build on."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import get_language_info

from newsroom.models import Article

# URLs typed without a scheme are https (Django 6's default, adopted now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


# The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class DeskBase:
    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) links above a story's change form; each mixin adds its own and calls super()."""
        return []


class DeskChangeList(ChangeList):
    def get_filters(self, request):
        """Django's filters, refusing like any other bad filter (instead of a server error) a NUL character in
        any parameter (PostgreSQL refuses it in a query) and a date drill-down beyond the calendar
        (``published_at__year=99999999999``, or 9999, whose next year does not exist)."""
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters("NUL character in a parameter")
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class DeskList:
    """What every desk admin's list does with what it is sent: a POST naming an action the user is not offered
    is refused (403); selected ids that cannot be ids are dropped (Django's query would raise); every action
    runs in one transaction, so when one story (or tag) fails half-way, the ones before it are rolled back too,
    the log entries with them; hostile date drill-downs are bad filters (``DeskChangeList``)."""

    def get_changelist(self, request: HttpRequest, **kwargs):
        return DeskChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        refuse_unavailable_actions(self, request)
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        valid = [value for value in selected if is_id(self.opts.pk, value)]
        if valid != selected:
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, valid)
        return super().changelist_view(request, extra_context)

    def response_action(self, request: HttpRequest, queryset):
        with transaction.atomic():
            return super().response_action(request, queryset)


def is_id(field: models.Field, value) -> bool:
    """Whether ``value`` can be a value of ``field`` (a primary key): of its type and within its range."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class ValidIdsOnly:
    """An autocomplete widget that looks up only the posted values that can be ids: Django's own passes every
    value to the database when it shows a form again, and a forged one raises ValueError (``outlet=abc``) or
    OverflowError (an id beyond the column's range)."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [item for item in value if is_id(target, item)], attr)


class SafeAutocompleteSelect(ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocomplete:
    """A model admin whose ``autocomplete_fields`` survive forged values (see ``ValidIdsOnly``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def whole_number(value: str) -> int | None:
    """``value`` (an id or a version from a request) as an int, or None unless it is ASCII digits within a
    database integer's range: ``"²"`` passes ``str.isdigit()`` but not ``int()``."""
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


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
