"""The registry's admin: tags with their aliases, topics with their keywords, outlets."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from newsroom.models import Outlet, Tag, TagAlias, Topic, TopicKeyword


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
