"""Every SQL statement the engine runs, named once, one module per aggregate.

Statements are built once at import (SQLAlchemy then reuses their compiled SQL) and take
their values as bind parameters; a module holds the statements of one table and the
tables it owns (``enrollments``, ``messages``, ``contacts``, ``handoffs``,
``notifications``). The engine imports them by name and never writes SQL of its own. The
claim protocol that uses some of them is store/claims.py; the statements of ``nurture
report`` are in reports/, one module per report area.
"""
