"""What a pydantic model holds at a position of a file: the keys it accepts ("did you mean"
hints) and, for an error's location, the path as it is written in the file."""

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


def file_path(model: type[BaseModel], loc: Sequence[str | int]) -> list[str | int]:
    """``loc`` of a validation error without the tags pydantic adds for a tagged union.

    An error in a send step is at ``steps.0.send.template`` for pydantic, but the file has no
    key ``send`` there: it is the value of the step's ``type``. Only a part that names a union
    member where the file has no such key is dropped, so ``handoff:`` in workspace.yaml stays.
    """
    current: Any = model
    path: list[str | int] = []
    for part in loc:
        member = _tagged(current, part)
        if member is not None:
            current = member
            continue
        path.append(part)
        if current is not None:
            current = _step(current, part)
    return path


def _tagged(current: Any, part: str | int) -> type[BaseModel] | None:
    if current is None or not isinstance(part, str):
        return None
    candidates = _models(current)
    if len(candidates) < 2 or any(_field(c, part) is not None for c in candidates):
        return None
    for candidate in candidates:
        tag = candidate.model_fields.get("type")
        if tag is not None and part in get_args(tag.annotation):
            return candidate
    return None


def _field(model: type[BaseModel], name: str) -> Any:
    return model.model_fields.get(name) or next(
        (f for f in model.model_fields.values() if f.alias == name), None
    )


def _step(current: Any, part: str | int) -> Any:
    for candidate in _models(current):
        if isinstance(part, str):
            field = _field(candidate, part)
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
