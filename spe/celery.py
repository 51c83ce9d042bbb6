"""The Celery app, tenant-aware (tenant-schemas-celery).

A task sent inside ``tenant_context`` carries the schema and runs in it; a
task sent from public runs in public. See docs/mailflow.md.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spe.settings")

app = CeleryApp("spe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every task switches schema on the one database; saying so spares two
# configuration lookups per task (tenant_schemas_celery reads it per task).
app.Task.tenant_databases = ("default",)
