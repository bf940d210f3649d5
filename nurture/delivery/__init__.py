"""Turning a due step into an email: templates, signed links and email providers."""
