"""Marketer-written templates: sandboxed, escaped in HTML, strict about missing names."""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture.definitions.template_lint import lint_template
from nurture.delivery.templates import Templates
from nurture.errors import TemplateError

CONTEXT = {
    "contact": {"first_name": "Ana", "email": "ana@acme.com", "attributes": {}},
    "sender": {"from_name": "Acme", "postal_address": "Street 1"},
    "unsubscribe_url": "https://x.example/u/t",
}


def _templates(tmp_path: Path, **files: str) -> Templates:
    for name, source in files.items():
        path = tmp_path / name.replace("__", "/").replace("_dot_", ".")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return Templates(tmp_path)


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ contact.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__.__globals__.__builtins__ }}",
        "{{ (lambda: 0).__globals__ }}",
        "{% set x = ''.__class__ %}{{ x.__base__ }}",
    ],
)
def test_reaching_for_python_internals_fails_safely(tmp_path: Path, attack: str) -> None:
    templates = _templates(tmp_path, mail_dot_html=f"<p>{attack}</p>", mail_dot_subject="Hi")
    with pytest.raises(TemplateError) as raised:
        templates.render("mail", CONTEXT)
    assert str(raised.value).startswith(f"{tmp_path / 'mail.html'}:1: ")
    assert "\n" not in str(raised.value)


def test_contact_data_is_escaped_in_html_but_not_in_text(tmp_path: Path) -> None:
    templates = _templates(
        tmp_path,
        mail_dot_html="<p>Hi {{ contact.first_name }}</p>",
        mail_dot_txt="Hi {{ contact.first_name }}",
        mail_dot_subject="For {{ contact.first_name }}",
    )
    evil = {**CONTEXT, "contact": {"first_name": "<script>alert(1)</script>"}}
    rendered = templates.render("mail", evil)
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert rendered.text == "Hi <script>alert(1)</script>\n"
    assert rendered.subject == "For <script>alert(1)</script>"


def test_a_missing_variable_fails_the_message_with_its_name(tmp_path: Path) -> None:
    templates = _templates(
        tmp_path, mail_dot_html="<p>{{ contact.attributes.plan }}</p>", mail_dot_subject="Hi"
    )
    with pytest.raises(TemplateError, match="plan"):
        templates.render("mail", CONTEXT)


def test_layouts_partials_and_a_derived_text_part(tmp_path: Path) -> None:
    templates = _templates(
        tmp_path,
        layouts__base_dot_html=(
            "<html><body>{% block body %}{% endblock %}"
            '{% include "partials/footer.html" %}</body></html>'
        ),
        partials__footer_dot_html='<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
        mail_dot_html=(
            '{% extends "layouts/base.html" %}{% block body %}'
            '<p>Read <a href="https://acme.example/guide?a=1&amp;b=2">the guide</a></p>'
            "{% endblock %}"
        ),
        mail_dot_subject="{{ contact.first_name }}, a guide",
    )
    rendered = templates.render("mail", CONTEXT)
    assert rendered.subject == "Ana, a guide"
    assert "Unsubscribe" in rendered.html
    assert "the guide (https://acme.example/guide?a=1&b=2)" in rendered.text
    assert "Unsubscribe (https://x.example/u/t)" in rendered.text
    assert "<" not in rendered.text


def test_lint_finds_unknown_names_fields_includes_and_syntax(tmp_path: Path) -> None:
    _templates(
        tmp_path,
        mail_dot_html=(
            "{{ contact.frist_name }} {{ discount }} {{ contact.attributes.plan }}\n"
            '{% include "partials/missing.html" %}'
        ),
        mail_dot_subject="{{ contact.first_name }",
        ok_dot_html="{{ contact.first_name }} {{ sender.from_name }} {{ unsubscribe_url }}",
    )
    html, subject = tmp_path / "mail.html", tmp_path / "mail.subject"
    assert sorted(lint_template(tmp_path, "mail", set())) == sorted(
        [
            f"{subject}:1:1: template syntax: unexpected '}}'",
            f"{html}:1:1: unknown template variable 'discount': use one of contact, journey, "
            "preferences_url, sender, step, subject, unsubscribe_url",
            f"{html}:1:1: unknown template variable 'contact.frist_name': did you mean 'first_name'? "
            "(custom attributes are read as contact.attributes.frist_name)",
            f"{html}:2:1: 'partials/missing.html' is not in {tmp_path}",
        ]
    )
    assert lint_template(tmp_path, "ok", set()) == []


def test_validate_reports_template_problems_at_the_step(
    tmp_path: Path, nurture_workspace: Path
) -> None:
    import shutil

    from nurture.definitions.loader import load_workspace
    from nurture.errors import DefinitionError

    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).parents[2] / "example" / "templates", templates)
    (templates / "welcome.html").write_text("{{ contact.frist_name }}")
    with pytest.raises(DefinitionError) as raised:
        load_workspace(nurture_workspace, templates)
    [problem] = raised.value.problems
    assert problem.startswith(f"{templates / 'welcome.html'}:1:1: ")
    assert "frist_name" in problem
