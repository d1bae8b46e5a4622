"""What the story admin's mixins build on."""


class DeskBase:
    def get_tool_links(self, request, obj) -> list[tuple[str, str]]:
        """(label, url) links above a story's change form; each mixin adds its own and calls super()."""
        return []
