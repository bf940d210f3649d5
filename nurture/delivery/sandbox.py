"""The sandbox marketer-written Jinja2 runs in: bounded in time and size, errors in one line.

Jinja's own sandbox keeps a template away from Python's internals (and this one, immutable,
from changing the data it is given); it does not stop a template that computes for ever or
builds a huge value. Here a render stops after ``seconds``, and no value or output may grow
past ``max_chars`` characters. The checks sit wherever a template can spend time or memory:
every call, attribute or item lookup, step of a ``for`` loop, filter and ``~`` join, and the
arithmetic operators, of which ``**``, ``*`` and ``%`` are checked before they run, so
``{{ 9**(9**9) }}`` fails at once instead of hanging a worker.

:func:`one_line` turns any failure of a render into ``template:line: what went wrong``.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from functools import wraps
from string import Formatter
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Template
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

RENDER_SECONDS = 2.0
"""How long one render may take: ample for an email, short enough not to stall a worker."""
MAX_CHARS = 1_000_000
"""The largest value or output a render may make (an email is a few tens of kB)."""
_MAX_INT_BITS = 100_000
_deadline: ContextVar[float | None] = ContextVar("template_deadline", default=None)
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z]?")
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class RenderLimit(Exception):
    """A render went past its time or size limit."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose renders stop at a time and a size limit (see the module)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(
        self, *, seconds: float = RENDER_SECONDS, max_chars: int = MAX_CHARS, **options: Any
    ) -> None:
        super().__init__(**options)
        self.seconds, self.max_chars = seconds, max_chars
        self.code_generator_class = _Generator
        self.globals.pop("lipsum", None)  # lipsum(n) writes n paragraphs: nothing an email needs
        self.filters = {name: self._bounded(f) for name, f in self.filters.items()}
        self.filters["_each"] = self._each

    # --- rendering --------------------------------------------------------------------

    def render(self, template: Template, context: dict[str, Any]) -> str:
        """Render ``template`` within the limits; raise RenderLimit past them."""
        token = _deadline.set(time.monotonic() + self.seconds)
        try:
            parts, size = [], 0
            for part in template.generate(context):
                size += len(part)
                if size > self.max_chars:
                    raise RenderLimit(f"the output grows past {self.max_chars:,} characters")
                parts.append(part)
            return "".join(parts)
        finally:
            _deadline.reset(token)

    def tick(self) -> None:
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() > deadline:
            raise RenderLimit(
                f"rendering takes longer than {self.seconds:g} s: "
                "a loop or a computation is too large"
            )

    def sized(self, value: Any) -> Any:
        """``value``, unless it is larger than a render may make."""
        if isinstance(value, str | list | tuple | dict | set | bytes):
            if len(value) > self.max_chars:
                raise RenderLimit(f"a value grows past {self.max_chars:,} characters")
        elif isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise RenderLimit("a number grows too large")
        return value

    # --- where a template spends time or memory ---------------------------------------

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        if getattr(__obj, "__name__", None) in _WIDTH_METHODS and isinstance(
            getattr(__obj, "__self__", None), str
        ):
            __self._width(*args)
        return __self.sized(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        if attribute in ("format", "format_map") and isinstance(obj, str):
            self._format_widths(obj)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "**":
            self._power(left, right)
        elif operator == "*":
            self._product(left, right)
        elif operator == "%" and isinstance(left, str):
            self._percent_widths(left)
        return self.sized(super().call_binop(context, operator, left, right))

    def _each(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """What every ``for`` loop iterates (see :class:`_Generator`): one tick per item."""
        for item in iterable:
            self.tick()
            yield item

    def _bounded(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            name = function.__name__
            if name in ("do_center", "do_indent"):
                self._width(*args[1:], *kwargs.values())
            elif name == "do_format" and args and isinstance(args[0], str):
                self._percent_widths(args[0])
            elif name == "do_replace":
                self._replacement(*args[1:4])
            return self.sized(function(*args, **kwargs))

        return bounded

    # --- checks made before an operation runs -----------------------------------------

    def _power(self, base: Any, exponent: Any) -> None:
        grows = _integer(base) and _integer(exponent) and exponent > 0 and abs(base) > 1
        if grows and exponent * base.bit_length() > _MAX_INT_BITS:
            raise RenderLimit(f"{base} ** {exponent} is too large a number")

    def _product(self, left: Any, right: Any) -> None:
        for seq, times in ((left, right), (right, left)):
            repeated = isinstance(seq, str | list | tuple) and _integer(times)
            if repeated and len(seq) * times > self.max_chars:
                raise RenderLimit(f"a value grows past {self.max_chars:,} characters")
        both = _integer(left) and _integer(right)
        if both and left.bit_length() + right.bit_length() > _MAX_INT_BITS:
            raise RenderLimit("a number grows too large")

    def _width(self, *args: Any) -> None:
        if any(_integer(a) and a > self.max_chars for a in args):
            raise RenderLimit(f"a width above {self.max_chars:,} characters")

    def _percent_widths(self, text: str) -> None:
        for spec in _PERCENT_SPEC.finditer(text):
            for number in spec.groups():
                if number == "*" or (number and int(number) > self.max_chars):
                    raise RenderLimit(f"format {spec.group(0)!r}: too wide")

    def _format_widths(self, text: str) -> None:
        try:
            fields = list(Formatter().parse(text))
        except ValueError:
            return  # str.format will say what is wrong with it
        for _, _, spec, _ in fields:
            if spec and any(int(n) > self.max_chars for n in re.findall(r"\d+", spec)):
                raise RenderLimit(f"format spec {spec!r}: too wide")

    def _replacement(self, text: Any = "", old: Any = "", new: Any = "") -> None:
        if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
            count = text.count(old) if old else len(text) + 1
            if len(text) + count * (len(new) - len(old)) > self.max_chars:
                raise RenderLimit(f"a value grows past {self.max_chars:,} characters")

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Every ``for`` loop iterates through ``_each``, so a long loop meets the deadline."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_each", [], [], None, None, lineno=loop.lineno)
        return tree


class _Generator(CodeGenerator):
    """Jinja's code generator, with every ``~`` join size-checked."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def one_line(exc: BaseException, where: Callable[[str], str | None], rendering: str) -> str:
    """``template:line: message`` for a failed render of ``rendering`` (a template's name).

    ``where`` names a template from the file name Jinja gave it ("<template>" for one made
    from a string), or returns None for a file that is no template of ours. A failure with no
    line (the whole output too large) is ``template: message``.
    """
    located = None
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        name = where(exc.filename or "<template>")
        located = f"{name}:{exc.lineno}" if name else None
    if located is None:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            name = where(frame.filename)
            if name is not None:
                located = f"{name}:{frame.lineno}"
                break
    message = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    if not isinstance(exc, RenderLimit) and type(exc).__module__ == "builtins":
        message = f"{message} ({type(exc).__name__})"
    message = " ".join(message.split())
    return f"{located or rendering}: {message}"
