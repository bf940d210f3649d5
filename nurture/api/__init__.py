"""The HTTP app (``nurture serve``): event ingest, provider webhooks, tracking and unsubscribe.

Thin adapters, one module per area: each reads the request, calls the engine and answers.
"""
