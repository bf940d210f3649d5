"""Marketer-written Jinja2, always sandboxed.

HTML is rendered with autoescaping, so contact data can never inject markup; subjects and text
parts use a second sandboxed environment without escaping. A missing variable is an error,
never an empty string in a sent email. Both environments bound a render in time and size
(:mod:`nurture.delivery.sandbox`), and any failure is one :class:`TemplateError` line naming
the template file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig
from inscriptis.model.html_document_state import HtmlDocumentState
from inscriptis.model.tag import CustomHtmlTagHandlerMapping
from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateNotFound

from nurture.delivery.sandbox import MAX_CHARS, RENDER_SECONDS, BoundedSandbox, one_line
from nurture.errors import TemplateError


def _link_start(state: HtmlDocumentState, attrs: dict[str, str]) -> None:
    state.link_target = attrs.get("href", "")


def _link_end(state: HtmlDocumentState) -> None:
    if state.link_target:
        state.tags[-1].write(f" ({state.link_target})")


_TEXT_CONFIG = ParserConfig(
    css=CSS_PROFILES["strict"],
    display_images=False,
    custom_html_tag_handler_mapping=CustomHtmlTagHandlerMapping(
        start_tag_mapping={"a": _link_start}, end_tag_mapping={"a": _link_end}
    ),
)


def derive_text(html: str) -> str:
    """A plain-text part from HTML when none is written (inscriptis, which lays text out as a
    browser would): paragraphs and headings apart, list items on their own lines with their
    bullet or number, and every link as ``label (URL)``."""
    text = get_text(html, _TEXT_CONFIG) if html.strip() else ""
    return "\n".join(line.rstrip() for line in text.splitlines())


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


class Templates:
    """Renders ``NAME.subject``, ``NAME.html`` and ``NAME.txt`` from one folder."""

    def __init__(
        self, folder: Path, *, seconds: float = RENDER_SECONDS, max_chars: int = MAX_CHARS
    ) -> None:
        self.folder = folder
        loader = FileSystemLoader(folder)
        limits: dict[str, Any] = {"seconds": seconds, "max_chars": max_chars}
        self._html = BoundedSandbox(
            loader=loader, autoescape=True, undefined=StrictUndefined, auto_reload=False, **limits
        )
        self._text = BoundedSandbox(
            loader=loader,
            autoescape=False,
            undefined=StrictUndefined,
            auto_reload=False,
            keep_trailing_newline=False,
            **limits,
        )
        self._subjects: dict[str, Template] = {}

    def render(
        self, name: str, context: dict[str, Any], subject: str | None = None
    ) -> RenderedEmail:
        """Render NAME for ``context``; raise TemplateError (one line, file:line) on failure."""
        part = f"{name}.subject" if subject is None else f"the subject of {name}"
        try:
            compiled = self._subject(name, subject)
            rendered_subject = " ".join(self._text.render(compiled, context).split())
            context = {**context, "subject": rendered_subject}
            part = f"{name}.html"
            html = self._html.render(self._html.get_template(part), context)
            if (self.folder / f"{name}.txt").is_file():
                part = f"{name}.txt"
                text = self._text.render(self._text.get_template(part), context)
            else:
                text = derive_text(html)
        except TemplateNotFound as exc:
            raise TemplateError(
                f"template {name}: file {exc.name} not found in {self.folder}"
            ) from None
        except Exception as exc:  # a template's failure, whatever its kind, fails this email only
            shown = part if part.startswith("the subject") else str(self.folder / part)
            raise TemplateError(one_line(exc, lambda f: self._where(f, shown), shown)) from exc
        return RenderedEmail(rendered_subject, html, text.strip() + "\n")

    def _where(self, filename: str, subject: str) -> str | None:
        """The template a traceback's file name is, as a path a marketer can open."""
        if filename == "<template>":
            return subject  # made from a string: only subjects are
        path = Path(filename)
        return str(path) if path.is_relative_to(self.folder) else None

    def _subject(self, name: str, source: str | None) -> Template:
        """The step's subject, else the template's NAME.subject file; each compiled once,
        as compiling costs more than rendering (like the templates, never reloaded)."""
        key = source if source is not None else f"\0{name}"
        compiled = self._subjects.get(key)
        if compiled is None:
            if source is None:
                source = self._source(f"{name}.subject")
            compiled = self._subjects[key] = self._text.from_string(source)
        return compiled

    def _source(self, filename: str) -> str:
        path = self.folder / filename
        if not path.is_file():
            raise TemplateNotFound(filename)
        return path.read_text(encoding="utf-8")
