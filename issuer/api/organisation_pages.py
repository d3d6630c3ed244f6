"""Console pages for the organisation: its profile, keys and association (CEC) facts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from issuer.api.pages import _flash
from issuer.db.models import Organisation
from issuer.deps import SessionDep
from issuer.pages import (
    Console,
    ConsoleDep,
    FormDep,
    render,
)
from issuer.schemas import AssociationProfileIn
from issuer.service.keys import org_keys
from issuer.service.orgs import (
    KINDS,
    association_profile,
    update_association_profile,
)
from shared.errors import InvalidInputError
from shared.model.cec import FIELDS

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/console/organisation", response_class=Response)
def profile(request: Request, console: ConsoleDep, session: SessionDep) -> Response:
    return _profile_page(request, console, session)


def _profile_page(
    request: Request,
    console: Console,
    session: SessionDep,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    org = console.org
    rows = sorted(org_keys(session, org), key=lambda k: (not k.active, -k.created_at.timestamp()))
    keys = [
        {
            "id": f"{org.did}#{k.fragment}" if org.did_method == "web" else org.did,
            "type": k.key_type,
            "active": k.active,
            "created_at": k.created_at,
            "retired_at": k.retired_at,
        }
        for k in rows
    ]
    return render(
        request,
        "profile.html",
        status=status,
        console=console,
        section="profile",
        org=org,
        kind_known=org.kind in KINDS,
        keys=keys,
        did_document=f"{console.org_base}/did.json" if org.did_method == "web" else None,
        metadata_url=f"/.well-known/openid-credential-issuer/orgs/{org.slug}",
        association=values if values is not None else association_profile(org),
        fields=FIELDS,
        errors=errors or {},
        flash=_flash(request),
    )


#: what each association field must be, said to the admin (msgids)
ASSOCIATION_ERRORS = {
    "rna": "An RNA number is W followed by 9 digits, for example W751234567.",
    "siren": "A SIREN has 9 digits and a SIRET 14; check the number (its last digit did not match).",
    "declared_on": "Give the date the association was declared (not in the future).",
    "field": "Choose a field of activity from the list.",
    "valideur_name": "Give a name.",
    "valideur_email": "This is not an email address.",
}


@router.post("/console/profile", response_class=Response)
def update_profile(
    request: Request, console: ConsoleDep, form: FormDep, session: SessionDep
) -> Response:
    """The association's CEC facts, field by field, each refused with its own message."""
    values = {key: str(form.get(key) or "").strip() for key in ASSOCIATION_ERRORS}
    errors: dict[str, str] = {}
    scratch = Organisation()  # each field checked alone, nothing changed until all are good
    for key, text in values.items():
        try:
            update_association_profile(scratch, AssociationProfileIn.model_validate({key: text}))
        except (ValueError, InvalidInputError):
            errors[key] = ASSOCIATION_ERRORS[key]
    if errors:
        return _profile_page(request, console, session, values, errors, status=422)
    update_association_profile(console.org, AssociationProfileIn.model_validate(values))
    return RedirectResponse("/console/organisation?done=saved", status_code=303)
