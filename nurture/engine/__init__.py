"""Orchestration: each module is one use case, run in its own transaction(s)."""
