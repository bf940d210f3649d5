"""Template bombs fail fast, and every failure of a render is one line: template:line: what.

The limits are the defaults (1,000,000 characters) but for time: a quarter of a second, so
the loops below stop quickly. Without the limits each of them hangs or exhausts memory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture.delivery.templates import Templates
from nurture.errors import TemplateError

CONTEXT = {"contact": {"first_name": "Ana", "email": "ana@acme.com", "attributes": {}}}


def render_html(tmp_path: Path, source: str, **parts: str) -> str:
    """Render a template whose HTML is ``source``; return the TemplateError's text."""
    (tmp_path / "mail.html").write_text(source)
    (tmp_path / "mail.subject").write_text(parts.get("subject", "Hi"))
    if "text" in parts:
        (tmp_path / "mail.txt").write_text(parts["text"])
    with pytest.raises(TemplateError) as raised:
        Templates(tmp_path, seconds=0.25).render("mail", CONTEXT)
    message = str(raised.value)
    assert "\n" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("bomb", "says"),
    [
        ("{{ 9**(9**9) }}", "9 ** 387420489 is too large a number"),
        ("{{ 'x' * 10**9 }}", "a value grows past 1,000,000 characters"),
        ("{{ 10**9 * ['x'] }}", "a value grows past 1,000,000 characters"),
        ("{{ 'x'|center(10**9) }}", "a width above 1,000,000 characters"),
        ("{{ 'x'|indent(width=10**9) }}", "a width above 1,000,000 characters"),
        ("{{ 'x'.ljust(999999999) }}", "a width above 1,000,000 characters"),
        ("{{ '%0999999999d' % 1 }}", "format '%0999999999d': too wide"),
        ("{{ '%*d'|format(999999999, 1) }}", "format '%*d': too wide"),
        ("{{ '{:>999999999}'.format(1) }}", "format spec '>999999999': too wide"),
        ("{{ ('x' * 1000)|replace('x', 'y' * 10000) }}", "a value grows past 1,000,000"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "a value grows past 1,000,000 characters",
        ),
        (
            "{% set ns = namespace(n=3) %}{% for i in range(64) %}"
            "{% set ns.n = ns.n * ns.n %}{% endfor %}",
            "a number grows too large",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "rendering takes longer than 0.25 s: a loop or a computation is too large",
        ),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}"
            "{% endfor %}",
            "rendering takes longer than 0.25 s",
        ),
        ("{% for i in range(1000) %}{{ 'x' * 10000 }}{% endfor %}", "the output grows past"),
        ("{{ lipsum(10**9) }}", "'lipsum' is undefined"),
    ],
)
def test_a_bomb_fails_fast_with_its_line(tmp_path: Path, bomb: str, says: str) -> None:
    message = render_html(tmp_path, f"<p>Hi</p>\n\n{bomb}\n")
    assert message.startswith(f"{tmp_path / 'mail.html'}:")
    assert says in message


def test_a_runtime_error_names_the_template_and_its_line(tmp_path: Path) -> None:
    message = render_html(tmp_path, "<p>Hi</p>\n<p>{{ contact.first_name }}</p>\n{{ 1 + 'a' }}\n")
    assert message == (
        f"{tmp_path / 'mail.html'}:3: unsupported operand type(s) for +: 'int' and 'str' "
        "(TypeError)"
    )


def test_an_error_in_an_included_layout_names_the_layout(tmp_path: Path) -> None:
    (tmp_path / "layout.html").write_text("<html>\n<body>\n{{ 1 // 0 }}\n</body>\n</html>\n")
    message = render_html(tmp_path, '{% extends "layout.html" %}')
    assert (
        message
        == f"{tmp_path / 'layout.html'}:3: integer division or modulo by zero (ZeroDivisionError)"
    )


def test_errors_in_the_text_part_and_the_subject_are_located_too(tmp_path: Path) -> None:
    text = render_html(tmp_path, "<p>Hi</p>", text="Hi\n{{ contact.nope.deeper }}\n")
    assert text == f"{tmp_path / 'mail.txt'}:2: 'dict object' has no attribute 'nope'"
    subject = render_html(tmp_path, "<p>Hi</p>", subject="Hi {{ 1 / 0 }}")
    assert subject == f"{tmp_path / 'mail.subject'}:1: division by zero (ZeroDivisionError)"


def test_a_step_subject_and_a_syntax_error_are_located(tmp_path: Path) -> None:
    (tmp_path / "mail.html").write_text("<p>Hi</p>\n{% if %}\n")
    (tmp_path / "mail.subject").write_text("Hi")
    templates = Templates(tmp_path)
    with pytest.raises(TemplateError) as raised:
        templates.render("mail", CONTEXT, subject="Hello {{ contact.first_name.nope() }}")
    assert str(raised.value).startswith("the subject of mail:1: ")
    with pytest.raises(TemplateError) as raised:
        templates.render("mail", CONTEXT)
    assert str(raised.value).startswith(f"{tmp_path / 'mail.html'}:2: ")


def test_a_recursive_macro_fails_in_one_line(tmp_path: Path) -> None:
    message = render_html(tmp_path, "{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}")
    assert message.startswith(f"{tmp_path / 'mail.html'}:")
    assert "(RecursionError)" in message


def test_ordinary_templates_render_within_the_limits(tmp_path: Path) -> None:
    (tmp_path / "mail.html").write_text(
        "{% for i in range(3) %}<p>{{ loop.index }}/{{ loop.length }} "
        "{{ '%05.1f'|format(2.5) }} {{ 'a' * 3 }} {{ 2**10 }} {{ '{:>4}'.format('b') }}</p>"
        "{% endfor %}"
    )
    (tmp_path / "mail.subject").write_text("Hi {{ contact.first_name }}")
    rendered = Templates(tmp_path).render("mail", CONTEXT)
    assert rendered.subject == "Hi Ana"
    assert rendered.html.count("<p>") == 3
    assert "<p>3/3 002.5 aaa 1024    b</p>" in rendered.html
