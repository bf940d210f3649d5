"""The statements of ``nurture report``, one module per report area.

A report's statements depend on its scope: each is a named function that builds it from the
scope's plain values (:class:`~nurture.store.statements.reports.scope.Scope`); statements that
do not vary are module-level constants with bind parameters. nurture/reports/ runs them and
turns their rows into the report.
"""
