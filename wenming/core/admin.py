"""Django admin is for superusers' data repair only; the audit log is read-only even there."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from wenming.core.models import AuditEntry, Job, User


@admin.register(User)
class WenmingUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "district", "company", "is_active")
    list_filter = ("role", "is_active", "district")
    fieldsets = (*UserAdmin.fieldsets, ("文明物业", {"fields": ("role", "display_name", "phone", "district", "company")}))


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor_name", "target_type", "target_id", "ip")
    list_filter = ("action",)
    search_fields = ("action", "actor_name", "target_repr")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Job)
admin.site.site_header = "文明物业 数据维护（仅限超级管理员）"
