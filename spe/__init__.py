"""The hosted mail security platform's Django project (docs/architecture.md)."""

from spe.celery import app as celery_app

__all__ = ("celery_app",)
