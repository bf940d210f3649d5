"""``nurture report``: funnel, stage times, journeys, sources, SLA, scores and A/B splits.

Each area runs its statements, named in nurture/store/statements/reports/ (set-based, SQLite
and PostgreSQL alike), and turns their rows into the report's rows; it builds no SQL itself.
:mod:`nurture.reports.build` runs them all for one :class:`Scope`.
"""
