from django.contrib import admin

from wenming.campaigns.models import Announcement, AwardCategory, Campaign, Deadline, Phase, RuleSet

admin.site.register([Campaign, Phase, Deadline, AwardCategory, Announcement])


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("campaign", "version", "preset_version", "loaded_at")

    def has_change_permission(self, request, obj=None):
        return False
