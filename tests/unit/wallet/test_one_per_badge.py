"""An offer listing one badge in three formats gives the person one badge."""

from __future__ import annotations

from wallet.service.receiving import one_per_badge


def _config(fmt: str, name: str) -> dict[str, object]:
    return {"format": fmt, "credential_metadata": {"display": [{"name": name, "locale": "fr"}]}}


def test_same_badge_in_three_formats_is_collected_once() -> None:
    configs = {
        "volunteer_ldp_vc": _config("ldp_vc", "Bénévole"),
        "volunteer_jwt_vc_json": _config("jwt_vc_json", "Bénévole"),
        "volunteer_sd_jwt": _config("dc+sd-jwt", "Bénévole"),
        "rating_sd_jwt": _config("dc+sd-jwt", "Note"),
    }
    ids = ["volunteer_sd_jwt", "volunteer_ldp_vc", "rating_sd_jwt", "volunteer_jwt_vc_json"]
    assert one_per_badge(ids, configs) == ["volunteer_sd_jwt", "rating_sd_jwt"]


def test_configurations_without_display_or_unknown_stay_apart() -> None:
    configs = {"a": {"format": "ldp_vc"}, "b": {"format": "ldp_vc"}}
    assert one_per_badge(["a", "b", "missing"], configs) == ["a", "b", "missing"]
