"""``musette issuer …``: offers, organisations and API keys, on the same data as ``musette up``.

The data folder is ``--data-dir``, or ``MUSETTE_DATA_DIR``, or ``./var`` (the issuer's own
folder is ``<data-dir>/issuer``), and the public URLs follow ``MUSETTE_<SERVICE>_BASE_URL``
and the ports, exactly as ``musette up`` computes them.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from musette.devmode import add_dev_flag, dev_mode_announced
from shared.errors import InvalidInputError
from shared.model.cec import FIELDS, ROLES

ROLE_CODES = frozenset(ROLES)

FORMAT_CHOICES = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")


def _settings(args: argparse.Namespace) -> Any:
    from issuer import settings_for_up
    from musette.up import config_from_env

    dev = dev_mode_announced(args)
    config = config_from_env("127.0.0.1", args.data_dir, dev)
    return settings_for_up(config.data_dir / "issuer", config.base_urls(), dev)


def cmd_offer(args: argparse.Namespace) -> int:
    from issuer.main import open_resources
    from issuer.schemas import OfferIn
    from issuer.service.achievements import get_achievement
    from issuer.service.images import qr_png, qr_svg
    from issuer.service.oid4vci import create_offer
    from issuer.service.orgs import get_org, org_base_url

    settings = _settings(args)
    res = open_resources(settings)
    atexit.register(res.dispose)
    body: dict[str, Any] = {
        "achievement": args.achievement,
        "recipient": {
            "name": args.recipient,
            "email": args.email,
            "name_in_clear": args.name_in_clear,
        },
        "formats": args.format or list(FORMAT_CHOICES),
        "tx_code": args.tx_code,
        "language": args.language,
    }
    subject: dict[str, Any] = {}
    if args.role in ROLE_CODES:
        subject["cec_role"] = args.role  # written as its label in the badge's language
    elif args.role:
        subject["role"] = args.role
    if args.hours is not None:
        subject["results"] = {"hours": args.hours}
    subject.update(_rating_subject(args))
    if args.year is not None:
        if args.period:
            raise InvalidInputError("give --year or --period, not both")
        subject["activity_start_date"] = _day(f"{args.year:04d}-01-01", "start")
        subject["activity_end_date"] = _day(f"{args.year:04d}-12-31", "end")
    if subject:
        body["subject"] = subject
    now = datetime.now(UTC)
    with res.sessions.begin() as session:
        org = get_org(session, args.org)
        base = org_base_url(settings.base_url, org.slug)
        _check_scale(get_achievement(session, org, args.achievement), args.scale)
        created = create_offer(
            session,
            settings,
            res.master_secret,
            org,
            base,
            OfferIn.model_validate(body),
            actor="cli",
            now=now,
        )
    qr_path = (
        Path(args.qr) if args.qr else Path(settings.data_dir) / "qr" / f"{created.offer.id}.png"
    )
    qr_path.parent.mkdir(parents=True, exist_ok=True)
    if qr_path.suffix == ".svg":
        qr_path.write_bytes(qr_svg(created.offer_uri))
    else:
        qr_path.write_bytes(qr_png(created.offer_uri))
    out: dict[str, Any] = {
        "offer_uri": created.offer_uri,
        "credential_offer_uri": created.credential_offer_uri,
        "wallet_link": created.wallet_link,
        "credential_issuer": base,
        "credential_configuration_ids": created.offer.configuration_ids,
        "expires_at": created.offer.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "qr_code": str(qr_path),
    }
    if created.tx_code is not None:
        out["tx_code"] = created.tx_code
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(created.offer_uri)
        print(f"wallet link: {created.wallet_link}")
        if created.tx_code is not None:
            print(f"tx_code: {created.tx_code}")
        print(f"QR code written to {qr_path}")
    return 0


def _rating_subject(args: argparse.Namespace) -> dict[str, Any]:
    """--rating/--count/--period as the subject of a rating (achievement ``rating``: results
    ``rating`` and ``count``, the period as activity dates); --scale must be the
    achievement's own (its valueMax), checked by cmd_offer."""
    out: dict[str, Any] = {}
    results = {k: v for k, v in (("rating", args.rating), ("count", args.count)) if v is not None}
    if results:
        out["results"] = results
    if args.period:
        start, sep, end = args.period.partition("/")
        if not sep or not start or not end:
            raise InvalidInputError("--period is START/END, e.g. 2026-01-01/2026-06-30")
        out["activity_start_date"] = _day(start, "start")
        out["activity_end_date"] = _day(end, "end")
    return out


def _day(text: str, which: str) -> str:
    """A date (start of day, UTC) or a full datetime, as ISO 8601."""
    from datetime import date

    try:
        return (
            datetime.fromisoformat(text).isoformat()
            if "T" in text
            else (datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC).isoformat())
        )
    except ValueError as err:
        raise InvalidInputError(f"--period {which} {text!r} is not a date (YYYY-MM-DD)") from err


def _check_scale(row: Any, scale: str | None) -> None:
    """--scale must say the scale the achievement's rating is on (its valueMax)."""
    if scale is None:
        return
    from decimal import Decimal, InvalidOperation

    tops = [
        d.get("value_max")
        for d in row.content.get("result_descriptions", [])
        if d.get("result_type") == "ext:Rating"
    ]
    if not tops:
        raise InvalidInputError(f"the achievement {row.slug} has no rating: --scale is for ratings")
    try:
        same = any(t is not None and Decimal(t) == Decimal(scale) for t in tops)
    except InvalidOperation as err:
        raise InvalidInputError(f"--scale {scale!r} is not a number") from err
    if not same:
        raise InvalidInputError(
            f"the achievement {row.slug} rates out of {', '.join(str(t) for t in tops)}, "
            f"not {scale}: a platform's scale is part of its achievement"
        )


def cmd_org_create(args: argparse.Namespace) -> int:
    from issuer.main import open_resources
    from issuer.schemas import AssociationProfileIn
    from issuer.service.orgs import (
        association_profile,
        create_admin,
        create_org,
        password_hasher,
        update_association_profile,
    )

    settings = _settings(args)
    res = open_resources(settings)
    atexit.register(res.dispose)
    now = datetime.now(UTC)
    with res.sessions.begin() as session:
        org = create_org(
            session,
            res.key_store(session),
            base_url=settings.base_url,
            slug=args.slug,
            kind=args.kind,
            name=args.name,
            now=now,
            did_method=args.did_method,
        )
        facts = {
            k: v
            for k, v in (
                ("rna", args.rna),
                ("siren", args.siren),
                ("declared_on", args.declared_on),
                ("field", args.field),
                ("valideur_name", args.valideur_name),
                ("valideur_email", args.valideur_email),
            )
            if v is not None
        }
        if facts:
            update_association_profile(org, AssociationProfileIn.model_validate(facts))
        if args.admin_email:
            password = os.environ.get("MUSETTE_ADMIN_PASSWORD") or _password()
            hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
            create_admin(session, org, args.admin_email, password, hasher, now)
            print(f"admin: {args.admin_email} / {password}", file=sys.stderr if args.json else None)
        out = {
            "slug": org.slug,
            "kind": org.kind,
            "did": org.did,
            "association": association_profile(org),
        }
        print(json.dumps(out, ensure_ascii=False) if args.json else f"{org.slug}: {org.did}")
    return 0


def _password() -> str:
    import secrets

    return secrets.token_urlsafe(12)


def cmd_api_key(args: argparse.Namespace) -> int:
    from issuer.main import open_resources
    from issuer.service.orgs import create_api_key, get_org

    settings = _settings(args)
    res = open_resources(settings)
    atexit.register(res.dispose)
    with res.sessions.begin() as session:
        org = get_org(session, args.org)
        row, secret = create_api_key(session, org, args.name, "cli", datetime.now(UTC))
    if args.json:
        print(json.dumps({"key_id": row.key_id, "api_key": secret}))
    else:
        print(secret)
    return 0


def register(sub: Any) -> None:
    """Add ``musette issuer …`` to the main parser's subcommands."""
    issuer = sub.add_parser("issuer", help="the issuer: offers, organisations, API keys")
    isub = issuer.add_subparsers(dest="issuer_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data folder (default ./var, or MUSETTE_DATA_DIR)")
        add_dev_flag(p)

    offer = isub.add_parser("offer", help="create an OpenID4VCI offer and write its QR code")
    common(offer)
    offer.add_argument("--org", required=True, help="organisation slug")
    offer.add_argument("--achievement", required=True, help="achievement id")
    offer.add_argument("--recipient", required=True, help="the recipient's name")
    offer.add_argument("--email", help="the recipient's email (hashed in the credential)")
    offer.add_argument(
        "--name-in-clear",
        action="store_true",
        help="write the name in clear in ldp_vc and jwt_vc_json (default: salted hash)",
    )
    offer.add_argument(
        "--role",
        help="board, supervision or other (the volunteer's role as the CEC sees it), "
        "or any text (credentialSubject.role)",
    )
    offer.add_argument(
        "--year", type=int, help="the civil year of the volunteering (1 January to 31 December)"
    )
    offer.add_argument("--hours", help="volunteer hours (result 'hours')")
    offer.add_argument("--rating", help="a platform's average rating (result 'rating'), e.g. 4.8")
    offer.add_argument(
        "--scale", help="the rating's scale (its maximum), checked against the achievement"
    )
    offer.add_argument("--count", help="the number of ratings (result 'count')")
    offer.add_argument(
        "--period",
        help="the period (a rating's, or volunteering's), START/END (2026-01-01/2026-06-30)",
    )
    offer.add_argument(
        "--format", action="append", choices=FORMAT_CHOICES, help="repeatable; default: all three"
    )
    offer.add_argument("--tx-code", action="store_true", help="protect the offer with a PIN")
    offer.add_argument("--language", choices=["fr", "en"], default="fr")
    offer.add_argument("--qr", help="QR code file (.png or .svg); default <data>/issuer/qr/")
    offer.add_argument("--json", action="store_true", help="print offer_uri, tx_code… as JSON")
    offer.set_defaults(func=cmd_offer)

    org = isub.add_parser("org", help="organisations")
    osub = org.add_subparsers(dest="org_command", required=True)
    create = osub.add_parser("create", help="create an organisation with its signing key")
    common(create)
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--kind", choices=["association", "employer", "platform", "school"], required=True
    )
    create.add_argument("--did-method", choices=["web", "key"], default="web")
    create.add_argument("--rna", help="an association's RNA number (W and 9 digits)")
    create.add_argument("--siren", help="its SIREN (9 digits) or SIRET (14), Luhn-checked")
    create.add_argument("--declared-on", help="its declaration date (YYYY-MM-DD)")
    create.add_argument("--field", choices=sorted(FIELDS), help="its field of activity (CEC)")
    create.add_argument("--valideur-name", help="its CEC valideur's name")
    create.add_argument("--valideur-email", help="its CEC valideur's email")
    create.add_argument("--json", action="store_true", help="print the organisation as JSON")
    create.add_argument("--admin-email", help="also create an admin (password printed once)")
    create.set_defaults(func=cmd_org_create)

    key = isub.add_parser("api-key", help="create an API key for an organisation")
    common(key)
    key.add_argument("--org", required=True)
    key.add_argument("--name", default="cli")
    key.add_argument("--json", action="store_true")
    key.set_defaults(func=cmd_api_key)
