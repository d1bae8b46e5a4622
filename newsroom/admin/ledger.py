"""The import ledger, read-only: it is the record of what the desk received."""

from django.contrib import admin

from newsroom.admin.base import DeskList
from newsroom.models import RawDocument


@admin.register(RawDocument)
class RawDocumentAdmin(DeskList, admin.ModelAdmin):
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
