"""Fixtures for end-to-end mail tests: the real receiver, workers and beat as processes."""

from __future__ import annotations

