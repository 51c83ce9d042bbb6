"""Run the SMTP receiver (docs/mailflow.md).

    manage.py smtpd [--host 127.0.0.1] [--port 2525]

Listens on SPE_SMTP_HOST:SPE_SMTP_PORT; STARTTLS with SPE_TLS_CERT/KEY or a
self-signed certificate made once under var/tls/.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailflow import heartbeat, spool
from mailflow.queueing import enqueue
from mailflow.routing import RoutingCache
from mailflow.smtpd.handler import GatewayHandler, ReceiverConfig
from mailflow.smtpd.server import serve, tls_context

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the SMTP receiver."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=settings.SPE_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.SPE_SMTP_PORT)

    def handle(self, *args, **opts) -> None:
        routing = RoutingCache(settings.VAR_DIR / "cache" / "routing.json", check_every=settings.SPE_CONFIG_CHECK_EVERY)
        try:
            routing.get()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        the_spool = spool.Spool(settings.SPE_SPOOL_DIR)
        threading.Thread(target=self._fill_free, args=(the_spool,), name="spool-fill", daemon=True).start()
        handler = GatewayHandler(
            ReceiverConfig(
                hostname=settings.SPE_HOSTNAME, max_recipients=settings.SPE_MAX_RECIPIENTS,
                max_message_bytes=settings.SPE_MAX_MESSAGE_BYTES,
                messages_per_minute=settings.SPE_SMTP_MESSAGES_PER_MINUTE, bare_newline=settings.SPE_BARE_NEWLINE,
            ),
            routing=routing.get, spool=the_spool, enqueue=enqueue,
        )
        try:
            asyncio.run(self._serve(handler, opts["host"], opts["port"]))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(f"port {opts['port']} on {opts['host']} is already in use; "
                                   "set SPE_SMTP_PORT or stop the other program") from exc
            raise

    @staticmethod
    def _fill_free(the_spool: spool.Spool) -> None:
        """Files for the first burst of mail, made beside the listening server (docs/mailflow.md, "Spool")."""
        try:
            made = the_spool.fill_free()
        except OSError as exc:  # a full disk shows itself on the first message; nothing to stop here
            log.warning("spool: free files not made: %s", exc)
            return
        if made:
            log.info("spool: %d free files made for reuse", made)

    async def _serve(self, handler: GatewayHandler, host: str, port: int) -> None:
        tls = tls_context(settings.SPE_TLS_CERT, settings.SPE_TLS_KEY, settings.VAR_DIR, settings.SPE_HOSTNAME)
        server = await serve(
            handler, host=host, port=port, hostname=settings.SPE_HOSTNAME, tls=tls,
            max_connections_per_ip=settings.SPE_SMTP_CONNECTIONS_PER_IP,
            max_connections=settings.SPE_SMTP_CONNECTIONS, idle_timeout=settings.SPE_SMTP_IDLE_TIMEOUT,
            session_timeout=settings.SPE_SMTP_SESSION_TIMEOUT, data_size_limit=settings.SPE_MAX_MESSAGE_BYTES,
        )
        self.stdout.write(f"SMTP receiver listening on {host}:{port}")
        self.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        beat = asyncio.create_task(self._heartbeat(handler))
        await stop.wait()
        beat.cancel()
        server.close()
        await server.wait_closed()

    async def _heartbeat(self, handler: GatewayHandler) -> None:
        from tenants.cache import client

        loop = asyncio.get_running_loop()
        while True:
            figures = {
                "active_connections": handler.limiter.active, "connections": handler.stats.connections,
                "received": handler.stats.received,
                "refused": handler.stats.refused, "tempfailed": handler.stats.tempfailed,
                "spool_free_bytes": heartbeat._disk_free(handler.spool.root),
            }
            try:
                await loop.run_in_executor(handler.executor, heartbeat.publish, client(), "receiver", figures)
            except Exception as exc:
                log.warning("receiver heartbeat not published: %s", exc)
            await asyncio.sleep(heartbeat.INTERVAL)
