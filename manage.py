#!/usr/bin/env python3
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spe.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        from django.conf import settings

        db = settings.DATABASES["default"]
        sys.stderr.write(
            f"error: cannot reach PostgreSQL at {db.get('HOST')}:{db.get('PORT')} (database {db.get('NAME')!r}): "
            f"{str(exc).strip().splitlines()[0]}\n"
            "Start the private instance with `scripts/services.sh start postgres` (or `make run`), "
            "or point SPE_DATABASE_URL at a running server.\n"
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
