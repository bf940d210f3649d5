"""Send rounds on the set-based shape (engine/execute.py runs them).

*state* (``state.py``: one read per round of what its enrollments need, by the named
statements of ``store/statements/``) -> *core* (``core.py``: each enrollment advanced with the
domain's step machine and the send rules on plain records; no Session) -> *changes*
(``changes.py``: row buffers, one ``executemany`` per table when the round commits) ->
*delivery* (``delivery.py``: outside any transaction, email by email, the provider call
between the pre-call check and the durable "sent" mark).
"""
