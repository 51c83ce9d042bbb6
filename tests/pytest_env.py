"""Loaded with ``-p tests.pytest_env`` before Django settings: isolate the test run.

Tests use Redis database 1 (``make run`` uses 0) and a spool of their own, so
a running demo and a test run never see each other's queues.
"""

import os
import tempfile

os.environ.setdefault("SPE_REDIS_URL", "redis://127.0.0.1:56379/1")
os.environ.setdefault("SPE_SPOOL_DIR", tempfile.mkdtemp(prefix="spe-test-spool-"))
