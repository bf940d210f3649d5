"""The JSON Schema of ``scoring.yaml``, for editors and for `nurture schema`."""

from __future__ import annotations

from typing import Any

from nurture.definitions.schema import ScoringSpec


def scoring_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the scoring model file, generated from its pydantic spec."""
    schema = ScoringSpec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "nurture scoring model (scoring.yaml)"
    return schema
