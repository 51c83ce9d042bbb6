"""Loaded with ``-p tests.pytest_env`` before Django settings: isolate the test run.

Tests use Redis database 1 (``make run`` uses 0) and a spool of their own, so
a running demo and a test run never see each other's queues.
"""

import os
import tempfile

REDIS_PORT = os.environ.get("SPE_REDIS_PORT", "56379")
REDIS_DB = os.environ.get("SPE_TEST_REDIS_DB", "1")  # parallel test runs each take their own
os.environ.setdefault("SPE_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/{REDIS_DB}")
os.environ.setdefault("SPE_SPOOL_DIR", tempfile.mkdtemp(prefix="spe-test-spool-"))
os.environ.setdefault("SPE_STORE_DIR", tempfile.mkdtemp(prefix="spe-test-store-"))
