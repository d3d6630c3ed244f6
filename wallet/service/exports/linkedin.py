"""LinkedIn's « Add to profile » link for a certification (LinkedIn Add to Profile for
Certifications: startTask=CERTIFICATION_NAME, name, organizationName, issueYear, issueMonth,
certUrl, certId)."""

from __future__ import annotations

from urllib.parse import urlencode

from wallet.service.exports.items import ExportItem

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def add_to_profile_url(item: ExportItem) -> str:
    """The prefilled form; certUrl is the badge's live share page, certId the wallet's id."""
    params: list[tuple[str, str]] = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", item.title),
        ("organizationName", item.issuer_name),
    ]
    if item.issued is not None:
        params += [("issueYear", str(item.issued.year)), ("issueMonth", str(item.issued.month))]
    params += [("certUrl", item.share_url), ("certId", item.credential_id)]
    return f"{ADD_TO_PROFILE}?{urlencode(params)}"
