"""The pure domain core: no I/O, no SQLAlchemy, no wall clock. Time always comes in."""
