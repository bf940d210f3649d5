import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from nurture.formats import ContactIn, EventIn

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def errors(model: type[ContactIn] | type[EventIn], **data: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return raised.value.errors()


# --- contacts -------------------------------------------------------------------------


def test_email_is_trimmed_and_lower_cased() -> None:
    assert ContactIn(email="  Ana.Novak@ACME.com ").email == "ana.novak@acme.com"


@pytest.mark.parametrize("email", ["ana", "ana@acme", "ana @acme.com", "@acme.com", ""])
def test_malformed_email_is_rejected(email: str) -> None:
    assert [error["loc"] for error in errors(ContactIn, email=email)] == [("email",)]


def test_blank_strings_become_none() -> None:
    contact = ContactIn(
        email="ana@acme.com", first_name="  ", company="", company_size="", country=" "
    )
    assert contact.first_name is None
    assert contact.company is None
    assert contact.company_size is None
    assert contact.country is None


def test_text_is_trimmed() -> None:
    assert ContactIn(email="ana@acme.com", job_title="  CMO ").job_title == "CMO"


@pytest.mark.parametrize("country", ["si", "Si", " si "])
def test_country_is_upper_cased(country: str) -> None:
    assert ContactIn(email="ana@acme.com", country=country).country == "SI"


@pytest.mark.parametrize("country", ["SVN", "S", "1A", "S."])
def test_country_must_be_two_letters(country: str) -> None:
    assert [error["loc"] for error in errors(ContactIn, email="a@acme.com", country=country)] == [
        ("country",)
    ]


def test_known_timezone_is_kept() -> None:
    contact = ContactIn(email="ana@acme.com", timezone="Europe/Ljubljana")
    assert contact.timezone == "Europe/Ljubljana"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "../../etc/passwd"])
def test_unknown_timezone_is_rejected_by_name(zone: str) -> None:
    (error,) = errors(ContactIn, email="ana@acme.com", timezone=zone)
    assert error["loc"] == ("timezone",)
    assert f"unknown time zone {zone!r}" in error["msg"]


def test_company_size_is_parsed_from_text() -> None:
    assert ContactIn(email="ana@acme.com", company_size="250").company_size == 250


def test_negative_company_size_is_rejected() -> None:
    (error,) = errors(ContactIn, email="ana@acme.com", company_size=-1)
    assert error["loc"] == ("company_size",)
    assert error["type"] == "greater_than_equal"


def test_unknown_field_is_rejected() -> None:
    (error,) = errors(ContactIn, email="ana@acme.com", favourite_colour="teal")
    assert error["loc"] == ("favourite_colour",)
    assert error["type"] == "extra_forbidden"


def test_attributes_carry_anything_else() -> None:
    contact = ContactIn(email="ana@acme.com", attributes={"plan": "pro", "seats": 12})
    assert contact.attributes == {"plan": "pro", "seats": 12}


# --- events ---------------------------------------------------------------------------


def test_naive_at_is_taken_as_utc() -> None:
    event = EventIn(email="ana@acme.com", type="page_viewed", at="2026-03-02T10:00:00")
    assert event.at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert event.at is not None and event.at.utcoffset() is not None


def test_aware_at_is_converted_to_utc() -> None:
    event = EventIn(email="ana@acme.com", type="page_viewed", at="2026-03-02T10:00:00+02:00")
    assert event.at is not None
    assert event.at.tzinfo == UTC
    assert (event.at.hour, event.at.minute) == (8, 0)


def test_blank_at_and_id_are_absent() -> None:
    event = EventIn(email="ana@acme.com", type="subscribed", at="", id=" ")
    assert event.at is None
    assert event.id is None


@pytest.mark.parametrize("type_", ["Page_Viewed", "page viewed", "1st_visit", ""])
def test_event_type_is_a_lower_case_identifier(type_: str) -> None:
    assert [error["loc"] for error in errors(EventIn, email="a@acme.com", type=type_)] == [
        ("type",)
    ]


def test_given_id_is_the_source_id() -> None:
    event = EventIn(id="evt-123", email="ana@acme.com", type="page_viewed")
    assert event.source_id(RECEIVED) == "evt-123"


def page_view(**changes: Any) -> EventIn:
    data: dict[str, Any] = {
        "email": "ana@acme.com",
        "type": "page_viewed",
        "at": "2026-03-02T10:00:00Z",
        "properties": {"url": "/pricing", "ref": "ad"},
    }
    return EventIn.model_validate(data | changes)


def test_derived_id_is_stable_for_the_same_content() -> None:
    first = page_view().source_id(RECEIVED)
    assert first.startswith("sha256:")
    assert page_view().source_id(datetime(2030, 1, 1, tzinfo=UTC)) == first


def test_derived_id_ignores_how_the_same_content_is_written() -> None:
    same = page_view(
        email="ANA@acme.com",
        at="2026-03-02T12:00:00+02:00",
        properties={"ref": "ad", "url": "/pricing"},
    )
    assert same.source_id(RECEIVED) == page_view().source_id(RECEIVED)


@pytest.mark.parametrize(
    "change",
    [
        {"email": "bo@acme.com"},
        {"type": "email_clicked"},
        {"at": "2026-03-02T10:00:01Z"},
        {"properties": {"url": "/pricing/", "ref": "ad"}},
        {"properties": {"url": "/pricing"}},
    ],
)
def test_derived_id_differs_for_different_content(change: dict[str, Any]) -> None:
    assert page_view(**change).source_id(RECEIVED) != page_view().source_id(RECEIVED)


def test_derived_id_without_at_uses_the_time_received() -> None:
    event = page_view(at=None)
    later = datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)
    assert event.source_id(RECEIVED) != event.source_id(later)


# --- addresses, JSON and times: one rule at every door ----------------------------------


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("a,victim@x.example", "invalid characters before the @-sign: ','"),
        ("a\x00b@x.example", "U+0000"),
        ("a\x08@x.example", "U+0008"),
        ("a@<svg/onload=alert(3)>.example", "The part after the @-sign contains invalid"),
        ("Ana <ana@acme.com>", "display name"),
        ('"a b"@acme.com', "Quoting"),
        ("ana@[10.0.0.1]", "bracketed IP address"),
        ("ana@localhost", "should have a period"),
    ],
)
def test_an_address_is_one_mailbox_and_the_error_says_why_in_words(email: str, why: str) -> None:
    [error] = errors(EventIn, email=email, type="subscribed")
    assert error["loc"] == ("email",)
    assert why in error["msg"]
    assert "pattern" not in error["msg"] and "^" not in error["msg"]


def test_an_internationalised_domain_is_stored_in_its_ascii_form() -> None:
    assert ContactIn(email="Ana@Bücher.Example").email == "ana@xn--bcher-kva.example"
    assert ContactIn(email="ana@xn--bcher-kva.example").email == "ana@xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("properties", "why"),
    [
        ({"score": float("nan")}, "score: nan is not a number JSON allows"),
        ({"a": [1, {"b": float("inf")}]}, "a[1].b: inf is not a number JSON allows"),
        ({"a": "x\x00y"}, "a: contains a NUL character"),
        ({"a": "\ud800"}, "a: contains an unpaired surrogate"),
        ({"a": json.loads("[" * 25 + "]" * 25)}, "nests deeper than 20 levels"),
    ],
)
def test_properties_are_json_as_json_defines_it(properties: dict[str, Any], why: str) -> None:
    [error] = errors(EventIn, email="ana@acme.com", type="x", properties=properties)
    assert error["loc"] == ("properties",)
    assert why in error["msg"]
    [error] = errors(ContactIn, email="ana@acme.com", attributes=properties)
    assert error["loc"] == ("attributes",)


def test_text_fields_refuse_nul() -> None:
    [error] = errors(ContactIn, email="ana@acme.com", first_name="A\x00na")
    assert error["loc"] == ("first_name",)


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-05:00"])
def test_an_at_without_utc_equivalent_is_a_field_error(at: str) -> None:
    [error] = errors(EventIn, email="ana@acme.com", type="x", at=at)
    assert error["loc"] == ("at",)
    assert "has no equivalent in UTC" in error["msg"]
