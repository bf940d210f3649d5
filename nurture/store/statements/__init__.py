"""Every SQL statement the engine's set-based paths run, named once, grouped by the work that
runs it (intake: events and contacts in)."""
