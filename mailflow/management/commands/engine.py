"""Run the engine: N supervised Celery workers with the solo pool (docs/mailflow.md, "Engine processes").

    manage.py engine [--processes 4] [--queues default,array.default] [--hostname engine] [--loglevel INFO]
"""

from __future__ import annotations

import logging
import os

from django.core.management.base import BaseCommand, CommandError

from mailflow.engine.supervisor import Supervisor


class Command(BaseCommand):
    help = "Run the engine's Celery workers (solo pool), restarting any that dies."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--processes", type=int, default=int(os.environ.get("SPE_WORKER_CONCURRENCY", "4")),
                            help="engine processes (default SPE_WORKER_CONCURRENCY or 4)")
        parser.add_argument("--queues", "-Q", default="default,array.default",
                            help="Celery queues to take tasks from (default: default,array.default)")
        parser.add_argument("--hostname", default="engine", help="process i is Celery node <hostname><i>@<host>")
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--prefetch", type=int, default=int(os.environ.get("SPE_ENGINE_PREFETCH", "1")),
                            help="tasks each process holds from Redis at a time (default SPE_ENGINE_PREFETCH or 1)")
        parser.add_argument("--stop-timeout", type=float, default=60.0,
                            help="seconds to let the processes finish their message when stopped")

    def handle(self, *args, **opts) -> None:
        if opts["processes"] < 1 or opts["prefetch"] < 1:
            raise CommandError("--processes and --prefetch must be at least 1")
        logging.basicConfig(level=logging.INFO, format="[%(asctime)s: %(levelname)s/engine] %(message)s")
        Supervisor(processes=opts["processes"], queues=opts["queues"], hostname=opts["hostname"],
                   loglevel=opts["loglevel"], prefetch=opts["prefetch"], stop_timeout=opts["stop_timeout"]).run()
