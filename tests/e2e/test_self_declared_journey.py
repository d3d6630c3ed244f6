"""A self-declared experience, created in the wallet, presented to
our verifier over OpenID4VP on real HTTP; the report and the recruiter's page say
"self-declared" while the signature verifies. A template that requires a trusted issuer does
not accept it."""

from __future__ import annotations

from typing import Any

from tests.e2e.test_journeys import QUERY_IDS, Clients, _checks
from tests.e2e.test_journeys import clients as clients  # the module-scoped fixture


def _experience(clients: Clients, **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Livreuse à vélo",
        "organisation": "Coopérative Roule",
        "start_date": "2023-01-15",
        "end_date": "2024-06-30",
        "description": "Livraisons en centre-ville.",
        "kind": "job",
        "skills": ["orientation"],
        **changes,
    }
    resp = clients.wallet.post("/api/experiences", json=body)
    assert resp.status_code == 201, resp.text
    out: dict[str, Any] = resp.json()
    assert out["credential_id"], out
    return out


def _answer(
    clients: Clients, template: str, credential_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    links = clients.request(template)
    pending = clients.open_request(links["request_uri"])
    qid = QUERY_IDS["ldp_vc"]
    options = next(q for q in pending["queries"] if q["id"] == qid)["options"]
    assert credential_id in {o["credential_id"] for o in options}, options
    return links, clients.consent(pending["id"], {qid: {"credential_id": credential_id}})


def test_a_self_declared_experience_reads_self_declared_at_the_verifier(
    clients: Clients,
) -> None:
    exp = _experience(clients)
    stored = clients.wallet_credential(exp["credential_id"])
    assert stored["source"] == "self-declared"
    assert stored["issuer"] == stored["subject"] == exp["holder_did"]

    links, answer = _answer(clients, "work-experience", exp["credential_id"])
    assert answer["status"] == 200, answer
    result = clients.result(links)
    assert result["verified"] is True, result["result"]["problems"]
    (report,) = result["result"]["presentations"][QUERY_IDS["ldp_vc"]]
    credential = (report.get("credentials") or [report])[0]
    assert credential["self_declared"] is True
    assert credential["issuer"] == exp["holder_did"]
    assert credential["credential"]["credentialSubject"]["activityStartDate"].startswith(
        "2023-01-15"
    )
    checks = _checks(report)
    assert checks["proof"]["status"] == "passed"
    assert checks["trust"]["status"] == "skipped"

    for lang, words in (("fr", "Auto-déclaré"), ("en", "Self-declared")):
        page = clients.verifier.get(
            f"/requests/{links['id']}?lang={lang}", headers={"Accept": "text/html"}
        )
        assert page.status_code == 200, page.text
        assert words in page.text
        assert "Livreuse à vélo" in page.text

    # a credential pasted on the verifier's check API says the same
    checked = clients.verify(clients.wallet_credential(exp["credential_id"])["credential"])
    assert checked["self_declared"] is True
    assert checked["verified"] is True


def test_a_template_requiring_a_trusted_issuer_does_not_accept_it(clients: Clients) -> None:
    exp = _experience(clients, title="Bénévole au festival", kind="volunteering")
    links, answer = _answer(clients, "volunteering", exp["credential_id"])
    # the verifier answers the wallet invalid_request (OpenID4VP 1.0 §8.5) and keeps no pass
    assert answer["status"] == 400, answer
    assert "trusted issuer is required" in answer["response"]["error_description"]
    assert exp["holder_did"] in answer["response"]["error_description"]
    assert clients.result(links).get("verified") is not True
