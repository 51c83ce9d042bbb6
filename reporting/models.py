"""Report schedules and rollups live here once reporting is built (docs/architecture.md)."""
