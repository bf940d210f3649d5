"""Journeys drawn as flow charts: a graph built from the compiled definition, laid out in
layers, rendered as self-contained SVG, optionally with the counts of a report on it."""
