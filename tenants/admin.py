"""Provider staff administration of provider-wide data (public schema only)."""

from django.contrib import admin

from tenants.models import Array, ConsoleDomain, Customer, MailDomain, Node, Plan, Subscription


class MailDomainInline(admin.TabularInline):
    model = MailDomain
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "status", "array", "schema_name", "created")
    list_filter = ("status", "array")
    search_fields = ("name", "slug", "contact_email")
    readonly_fields = ("schema_name", "created", "status", "status_changed", "delete_after")
    inlines = [MailDomainInline]


@admin.register(MailDomain)
class MailDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "customer", "delivery_host", "delivery_port", "validate_recipients", "tls_policy")
    search_fields = ("domain",)


admin.site.register(Array)
admin.site.register(Node)
admin.site.register(Plan)
admin.site.register(Subscription)
admin.site.register(ConsoleDomain)
