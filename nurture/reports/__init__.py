"""``nurture report``: funnel, stage times, journeys, sources, SLA, scores and A/B splits.

Every area keeps its SQL statements named in its own module (set-based, SQLite and
PostgreSQL alike); :mod:`nurture.reports.build` runs them all for one :class:`Scope`.
"""
