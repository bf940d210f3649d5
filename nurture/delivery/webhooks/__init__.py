"""Provider webhooks, each translating its provider's payload into our event vocabulary.

The engine never sees a provider's field names: a webhook module yields :class:`EventIn`
values (``email_delivered``, ``email_opened``, ``email_bounced``...) carrying our message id,
journey and step, with the provider's own event id as the idempotency key.
"""
