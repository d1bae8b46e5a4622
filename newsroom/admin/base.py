"""What the story admin's mixins build on."""

from django.db import models

# URLs typed without a scheme are https (Django 6's default, adopted now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class DeskBase:
    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) links above a story's change form; each mixin adds its own and calls super()."""
        return []
