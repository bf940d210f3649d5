"""Persistence: SQLAlchemy models, sessions, migrations glue and named queries."""
