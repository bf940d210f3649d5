"""``nurture bench``: each figure measured against a baseline taken in the same run.

One module per figure (ingest, send, tick_scan, simulate, import_rss, workers), the scratch
databases and data they share (scratch, data), and the runner that assembles the report.
"""
