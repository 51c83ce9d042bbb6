"""Scheduled provider housekeeping (docs/tenancy.md)."""

from celery import shared_task

from tenants import services


@shared_task(name="tenants.purge_deleted_customers", ignore_result=True)
def purge_deleted_customers() -> list[str]:
    return services.purge_deleted_customers()
