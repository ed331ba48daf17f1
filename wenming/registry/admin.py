from django.contrib import admin

from wenming.registry.models import Community, Company, District, ResidentsCommittee, Staff, Street

admin.site.register([District, Street, ResidentsCommittee])


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "district")
    search_fields = ("name", "credit_code")


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "company", "total_households", "occupied_households")
    list_filter = ("district",)
    search_fields = ("name",)


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "community", "post")
    list_filter = ("post",)
    search_fields = ("name",)
