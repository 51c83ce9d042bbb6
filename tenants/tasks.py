"""Scheduled provider housekeeping (docs/tenancy.md)."""

from celery import shared_task

from tenants import services


@shared_task(name="tenants.purge_deleted_customers", ignore_result=True)
def purge_deleted_customers() -> list[str]:
    return services.purge_deleted_customers()


@shared_task(name="tenants.record_node_heartbeats", ignore_result=True)
def record_node_heartbeats() -> int:
    from mailflow.heartbeat import read_all
    from tenants.cache import client
    from tenants.nodes import record_heartbeats

    return record_heartbeats(read_all(client()))
