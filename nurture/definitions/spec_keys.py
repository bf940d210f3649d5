"""The keys a pydantic model accepts at a position of a file, for "did you mean" hints."""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel


def keys_at(model: type[BaseModel], loc: Sequence[str | int]) -> set[str]:
    """The names (aliases included) the model nested at ``loc`` accepts; empty if unknown."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return set()
    models = _models(current)
    return {f.alias or name for m in models for name, f in m.model_fields.items()}


def _step(current: Any, part: str | int) -> Any:
    for candidate in _models(current):
        if isinstance(part, str):
            field = candidate.model_fields.get(part) or next(
                (f for f in candidate.model_fields.values() if f.alias == part), None
            )
            if field is not None:
                return field.annotation
            tagged = candidate.model_fields.get("type")
            if tagged is not None and part in get_args(tagged.annotation):
                return candidate
    if isinstance(part, int):
        for inner in _flatten(current):
            if get_origin(inner) is list:
                return get_args(inner)[0]
    if isinstance(part, str):
        for inner in _flatten(current):
            if get_origin(inner) is dict:
                return get_args(inner)[1]
    return None


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [x for arg in get_args(annotation) for x in _flatten(arg)]
    return [annotation]


def _models(annotation: Any) -> list[type[BaseModel]]:
    found = []
    for inner in _flatten(annotation):
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found.append(inner)
    # a tagged step: pick all members, the tag narrowing happens in _step
    return found
