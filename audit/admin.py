from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("occurred", "event_type", "actor_type", "actor_name", "target_repr")
    list_filter = ("event_type", "actor_type")
    search_fields = ("actor_name", "target_repr", "detail")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
