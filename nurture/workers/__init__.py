"""Adapters that run the engine across processes: a broker, its actors, the scheduler."""
