"""Intake on the set-based shape: events and contacts in, by chunks.

*state* (``state.py``: the chunk's working set, read by the named statements of
``store/statements/``) -> *core* (``core.py``: per-item functions, each with its
own ``now``, deciding with the domain objects; no Session) -> *changes* (``changes.py``: row
buffers whose ids are taken at the flush, one statement per table, the statements of
``store/statements/rows.py`` run with converted values by ``store/converted.py``).
"""
