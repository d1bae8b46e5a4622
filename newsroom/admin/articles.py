"""The story admin: the mixins of each part of the desk on top of modeltranslation's tabbed admin."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from newsroom.admin.base import URL_FIELDS, DeskBase, DeskList, SafeAutocomplete
from newsroom.admin.cleaning import CleaningMixin
from newsroom.admin.coverage import CoverageMixin
from newsroom.admin.linking import LinkingMixin
from newsroom.admin.listing import ListingMixin
from newsroom.admin.tagging import TaggingMixin
from newsroom.admin.workflow import GuardedImageForm, GuardedImageFormSet, WorkflowMixin
from newsroom.models import Article, ArticleImage

# Far more pictures than a story has. A POST claiming more image rows is refused without building them: Django's
# own limit, 2,000 rows of nine languages' fields, would keep a worker busy for most of a minute.
MAX_IMAGES = 200


class ArticleImageInline(TranslationTabularInline):
    model = ArticleImage
    form = GuardedImageForm
    formset = GuardedImageFormSet
    extra = 0
    fields = ["position", "image", "caption", "credit", "alt_text", "source_name"]
    max_num = MAX_IMAGES

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, absolute_max=MAX_IMAGES, **kwargs)


@admin.register(Article)
class ArticleAdmin(
    ListingMixin,
    WorkflowMixin,
    CleaningMixin,
    TaggingMixin,
    LinkingMixin,
    CoverageMixin,
    DeskList,
    SafeAutocomplete,
    DeskBase,
    TabbedTranslationAdmin,
):
    change_form_template = "admin/newsroom/article/change_form.html"
    formfield_overrides = URL_FIELDS
    autocomplete_fields = ["tags", "related", "outlet"]
    filter_horizontal = ["topics"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ArticleImageInline]
    actions = [*ListingMixin.listing_actions, *WorkflowMixin.workflow_actions, *TaggingMixin.tagging_actions]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "tool_links": self.get_tool_links(request, obj) if obj else []}
        return super().change_view(request, object_id, form_url, extra_context)
