"""The welcome journey, told as a story on a virtual clock: `pytest tests` in this folder."""


def test_a_new_lead_is_welcomed_then_guided(nurture):
    nurture.contact("ana@acme.com", first_name="Ana", job_title="CMO", company="Acme")

    nurture.emit("ana@acme.com", "subscribed")
    assert nurture.stage("ana@acme.com") == "lead"
    assert nurture.sent_steps("ana@acme.com") == ["welcome/welcome"]

    nurture.advance(days=2, minutes=-1)
    assert nurture.sent_steps("ana@acme.com") == ["welcome/welcome"]  # not a minute early
    nurture.advance(minutes=1)
    assert nurture.sent_steps("ana@acme.com")[-1] == "welcome/getting-started"


def test_a_good_fit_on_the_pricing_page_becomes_an_mql(nurture):
    nurture.contact("bo@acme.com", job_title="CTO")
    nurture.emit("bo@acme.com", "subscribed")
    nurture.emit("bo@acme.com", "page_viewed", url="/pricing")
    nurture.emit("bo@acme.com", "content_downloaded")
    assert nurture.score("bo@acme.com") == 30
    assert nurture.stage("bo@acme.com") == "mql"
