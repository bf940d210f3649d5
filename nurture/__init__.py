"""nurture: email nurture journeys, explainable lead scoring and sales handoff."""

__version__ = "0.1.0"
