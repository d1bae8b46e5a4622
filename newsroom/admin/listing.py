"""The story list: columns, language badges, filters and search across every language."""


class ListingMixin:
    listing_actions: list = []
    list_display = ["__str__", "original_language", "status", "primary_topic", "outlet", "published_at", "updated_at"]
    list_filter = ["status", "original_language", "primary_topic", "title_provisional", "outlet"]
    list_select_related = ["primary_topic", "outlet"]
    search_fields = ["title", "lead", "source_url", "byline"]
    date_hierarchy = "published_at"
