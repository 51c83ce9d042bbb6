"""The engine: one parse, checks observe, a verdict decides, actions act (docs/mailflow.md)."""
