"""Loaded with ``-p tests.pytest_env`` before Django settings: isolate the test run.

Tests use Redis database 1 (``make run`` uses 0) and a spool of their own, so
a running demo and a test run never see each other's queues.
"""

import atexit
import os
import shutil
import tempfile


def _private_dir(variable: str, prefix: str) -> None:
    """A directory of this run's own for ``variable``, removed when the run ends (unless the caller named one)."""
    if variable not in os.environ:
        path = tempfile.mkdtemp(prefix=prefix)
        os.environ[variable] = path
        atexit.register(shutil.rmtree, path, ignore_errors=True)


REDIS_PORT = os.environ.get("SPE_REDIS_PORT", "56379")
REDIS_DB = os.environ.get("SPE_TEST_REDIS_DB", "1")  # parallel test runs each take their own
os.environ.setdefault("SPE_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}")
_private_dir("SPE_SPOOL_DIR", "spe-test-spool-")
_private_dir("SPE_STORE_DIR", "spe-test-store-")
