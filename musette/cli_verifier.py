"""``musette verifier …``: OpenID4VP requests and trust registry from the command line.

The commands act on the verifier that ``musette up`` runs: the same ``--data-dir`` (or
``MUSETTE_DATA_DIR``), ports and ``MUSETTE_VERIFIER_*`` environment, so a request created
here is answered at the running verifier's response URI and read at its ``result_url``.
"""

from __future__ import annotations

import argparse
import atexit
import json
from datetime import UTC, datetime
from typing import Any

from musette.devmode import add_dev_flag, dev_mode_announced


def _settings(args: argparse.Namespace) -> Any:
    from musette.up import config_from_env
    from verifier import settings_for_up

    dev = dev_mode_announced(args)
    config = config_from_env("127.0.0.1", getattr(args, "data_dir", None), dev)
    return settings_for_up(config.data_dir / "verifier", config.base_urls(), dev)


def _sessions(settings: Any) -> Any:
    from sqlalchemy.orm import sessionmaker

    from verifier.db.base import make_engine, run_migrations

    engine = make_engine(settings.database_url)
    # closed at exit, as the issuer's command line does: a pooled PostgreSQL connection
    # left to the garbage collector is a ResourceWarning (and an error under pytest)
    atexit.register(engine.dispose)
    if settings.migrate:
        run_migrations(engine)
    return sessionmaker(engine, expire_on_commit=False)


def cmd_request(args: argparse.Namespace) -> int:
    from verifier.service.presentation_requests import create_request

    settings = _settings(args)
    sessions = _sessions(settings)
    with sessions.begin() as session:
        links = create_request(
            session,
            settings,
            template=args.template,
            client_id_prefix=args.client_id_prefix,
            response_mode=args.response_mode,
            account_id=None,
            now=datetime.now(UTC),
            parameters={
                k: v
                for k, v in (
                    ("minimum", args.min),
                    ("scale", args.scale),
                    ("min_hours", args.min_hours),
                    ("year", args.year),
                    ("eligible_role", False if args.any_role else None),
                )
                if v is not None
            },
        )
    if args.json:
        print(json.dumps({**links.to_json(), "template": args.template}))
    else:
        print(links.request_uri)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from verifier.service.templates import TEMPLATES

    for template in TEMPLATES.values():
        print(f"{template.name}\t{template.title_en}")
    return 0


def cmd_trust_list(args: argparse.Namespace) -> int:
    from verifier.service.trust import list_entries

    settings = _settings(args)
    with _sessions(settings)() as session:
        entries = [e.to_json() for e in list_entries(session)]
    if args.json:
        print(json.dumps({"issuers": entries}, ensure_ascii=False))
    else:
        for entry in entries:
            print(f"{entry['kind']}\t{entry['value']}\t{entry['name']}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Apply the retention settings now (a cron job's command; the verifier also purges
    by itself, at most every ten minutes, while it serves verifications)."""
    from verifier.service.store import purge_expired

    settings = _settings(args)
    with _sessions(settings).begin() as session:
        done = purge_expired(session, settings, datetime.now(UTC))
    if args.json:
        print(json.dumps(done.to_json()))
    else:
        for name, count in done.to_json().items():
            print(f"{name}\t{count}")
    return 0


def register(sub: Any) -> None:
    """Add ``musette verifier …`` to the top-level parser."""
    from verifier.service.templates import TEMPLATES

    verifier = sub.add_parser("verifier", help="the verifier: OpenID4VP requests, trust registry")
    verifier.add_argument("--data-dir", help="data folder (default ./var, or MUSETTE_DATA_DIR)")
    add_dev_flag(verifier)
    cmds = verifier.add_subparsers(dest="verifier_command", required=True)

    request = cmds.add_parser("request", help="create an OpenID4VP request and print its link")
    request.add_argument("--template", required=True, choices=sorted(TEMPLATES))
    request.add_argument(
        "--client-id-prefix",
        choices=["redirect_uri", "decentralized_identifier"],
        default="decentralized_identifier",
        help=(
            "decentralized_identifier (default: a request signed with the verifier's DID, "
            "by reference) or redirect_uri (unsigned, every parameter in the link)"
        ),
    )
    request.add_argument(
        "--response-mode",
        choices=["direct_post", "direct_post.jwt"],
        default="direct_post",
        help="direct_post, or direct_post.jwt (the wallet encrypts its answer to this request)",
    )
    request.add_argument(
        "--min", help="rating template: the minimum rating (default 4.5), e.g. --min 4.5"
    )
    request.add_argument(
        "--scale", help="rating template: the scale the minimum is on (default 5: 'out of 5')"
    )
    request.add_argument(
        "--min-hours", help="volunteer-hours template: the minimum hours (default 200)"
    )
    request.add_argument(
        "--year", help="volunteer-hours template: the civil year the hours must be in"
    )
    request.add_argument(
        "--any-role",
        action="store_true",
        help="volunteer-hours template: accept any role (default: board or supervision only)",
    )
    request.add_argument("--json", action="store_true", help="print request_uri and result_url")
    request.set_defaults(func=cmd_request)

    templates = cmds.add_parser("templates", help="list the request templates")
    templates.set_defaults(func=cmd_templates)

    trust = cmds.add_parser("trust", help="list the trust registry")
    trust.add_argument("--json", action="store_true")
    trust.set_defaults(func=cmd_trust_list)

    purge = cmds.add_parser(
        "purge",
        help="delete results, requests and challenges past their retention "
        "(MUSETTE_VERIFIER_VERIFICATION_RETENTION_DAYS)",
    )
    purge.add_argument("--json", action="store_true")
    purge.set_defaults(func=cmd_purge)
