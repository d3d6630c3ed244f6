"""« Mes droits / My rights »: the CEC estimate as a page and as JSON
(docs/decisions/cec-rules.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from shared.model.cec import FIELDS, role_label
from wallet.deps import PrincipalDep, ResourcesDep, SessionDep, SignedInPage
from wallet.i18n import choose_language
from wallet.pages import render
from wallet.schemas import RightsOut
from wallet.service import rights

router = APIRouter(tags=["rights"])
#: a civil year, as the ``year`` query parameter
YearQuery = Annotated[int | None, Query(ge=1900, le=9999)]

#: what each reason code says to the person (the msgid is the English text)
REASONS = {
    "hours-below-minimum": "Fewer than {hours} hours that count in the year.",
    "no-association-reaches-minimum": "No association reaches {hours} hours that count.",
    "cap-reached": "The {cap} € ceiling is already reached by earlier years.",
}
NOTES = {
    "role-not-eligible": "role that does not qualify",
    "role-unknown": "role not stated",
    "association-field-unknown": "the association's field is not stated",
    "association-field-not-eligible": "the association's field is not eligible",
    "association-date-unknown": "the association's declaration date is not stated",
    "association-too-recent": "association declared too recently",
    "expired": "expired",
    "revoked": "revoked by its issuer",
    "suspended": "suspended by its issuer",
    "unchecked": "its status could not be checked",
    "no-period": "no period stated",
    "period-not-one-year": "period across two civil years",
}


def _today() -> datetime:
    return datetime.now(UTC)


@router.get("/api/rights", response_model=RightsOut, response_model_exclude_unset=True)
def rights_json(
    who: PrincipalDep, res: ResourcesDep, session: SessionDep, year: YearQuery = None
) -> dict[str, Any]:
    """The estimate as ``musette wallet rights --json`` prints it."""
    estimate = rights.rights_of(
        session, who, res.verify_context(), today=_today().date(), year=year
    )
    return estimate.to_json()


@router.get("/rights", response_class=Response)
def rights_page(
    request: Request,
    who: SignedInPage,
    res: ResourcesDep,
    session: SessionDep,
    year: YearQuery = None,
) -> Response:
    """Per civil year: hours per association, whether the CEC conditions appear met, the
    amount, the badges it rests on, and what to declare where and by when."""
    lang = choose_language(request)
    estimate = rights.rights_of(
        session, who, res.verify_context(), today=_today().date(), year=year
    )
    rules = rights.load_rules()[-1]
    fields = [(fr if lang == "fr" else en) for fr, en in FIELDS.values()]
    return render(
        request,
        "rights.html",
        who=who,
        estimate=estimate,
        rules=rules,
        reasons=REASONS,
        notes=NOTES,
        fields=fields,
        role_name=lambda code: role_label(code, lang) if code else "",
    )
