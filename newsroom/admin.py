"""The editors' admin. This is the foundation's: every model editable, translations in tabs,
the import ledger read-only (it is the record of what the desk received)."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from newsroom.models import Article, ArticleImage, Outlet, RawDocument, Tag, TagAlias, Topic, TopicKeyword


class ArticleImageInline(TranslationTabularInline):
    model = ArticleImage
    extra = 0
    fields = ["position", "image", "caption", "credit", "alt_text", "source_name"]


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin):
    list_display = ["__str__", "original_language", "status", "primary_topic", "outlet", "published_at", "updated_at"]
    list_filter = ["status", "original_language", "primary_topic", "title_provisional", "outlet"]
    list_select_related = ["primary_topic", "outlet"]
    search_fields = ["title", "lead", "source_url", "byline"]
    autocomplete_fields = ["tags", "related", "outlet"]
    filter_horizontal = ["topics"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ArticleImageInline]
    date_hierarchy = "published_at"


class TagAliasInline(admin.TabularInline):
    model = TagAlias
    extra = 1
    fields = ["name"]


@admin.register(Tag)
class TagAdmin(TabbedTranslationAdmin):
    list_display = ["slug", "name", "kind", "topic"]
    list_filter = ["kind", "topic"]
    search_fields = ["slug", "name", "aliases__name"]
    inlines = [TagAliasInline]


class TopicKeywordInline(admin.TabularInline):
    model = TopicKeyword
    extra = 1


@admin.register(Topic)
class TopicAdmin(TabbedTranslationAdmin):
    list_display = ["slug", "name", "position"]
    inlines = [TopicKeywordInline]


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "homepage"]
    search_fields = ["name", "domain"]


@admin.register(RawDocument)
class RawDocumentAdmin(admin.ModelAdmin):
    list_display = ["file_name", "status", "reason", "language", "article", "created_at"]
    list_filter = ["status", "reason", "language"]
    list_select_related = ["article"]
    search_fields = ["file_name", "sha256"]
    exclude = ["raw_bytes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
