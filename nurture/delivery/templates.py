"""Marketer-written Jinja2, always sandboxed.

HTML is rendered with autoescaping, so contact data can never inject markup; subjects and text
parts use a second sandboxed environment without escaping. A missing variable is an error,
never an empty string in a sent email.
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
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
)
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

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

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        loader = FileSystemLoader(folder)
        self._html = SandboxedEnvironment(
            loader=loader, autoescape=True, undefined=StrictUndefined, auto_reload=False
        )
        self._text = SandboxedEnvironment(
            loader=loader,
            autoescape=False,
            undefined=StrictUndefined,
            auto_reload=False,
            keep_trailing_newline=False,
        )
        self._subjects: dict[str, Template] = {}

    def render(
        self, name: str, context: dict[str, Any], subject: str | None = None
    ) -> RenderedEmail:
        try:
            rendered_subject = " ".join(self._subject(name, subject).render(context).split())
            context = {**context, "subject": rendered_subject}
            html = self._html.get_template(f"{name}.html").render(context)
            if (self.folder / f"{name}.txt").is_file():
                text = self._text.get_template(f"{name}.txt").render(context)
            else:
                text = derive_text(html)
        except TemplateNotFound as exc:
            raise TemplateError(
                f"template {name}: file {exc.name} not found in {self.folder}"
            ) from exc
        except JinjaError as exc:
            raise TemplateError(f"template {name}: {exc}") from exc
        return RenderedEmail(rendered_subject, html, text.strip() + "\n")

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
