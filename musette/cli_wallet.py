"""``musette wallet …``: accounts, receiving and presenting from the command line.

The commands act on the wallet that ``musette up`` runs: the same ``--data-dir`` (or
``MUSETTE_DATA_DIR``) and the same ``MUSETTE_WALLET_*`` environment.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from musette.devmode import add_dev_flag, dev_mode_announced
from shared.did import DidResolver


def _settings(args: argparse.Namespace) -> Any:
    from musette.up import config_from_env
    from wallet import settings_for_up

    dev = dev_mode_announced(args)
    config = config_from_env("127.0.0.1", getattr(args, "data_dir", None), dev)
    return settings_for_up(config.data_dir / "wallet", config.base_urls(), dev)


def _read_password(prompt: str = "password: ") -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def open_account(session: Any, res: Any, args: argparse.Namespace) -> Any:
    """The account of ``--account``, opened with its password read on standard input (or its
    recovery code, with ``--recovery-code``): the wallet holds no key that opens it otherwise
    (docs/decisions/person-held-keys.md)."""
    from shared.errors import InvalidInputError
    from wallet.service import accounts

    recovery = bool(getattr(args, "recovery_code", False))
    secret = _read_password("recovery code: " if recovery else "password: ")
    if not secret:
        what = "recovery code" if recovery else "password"
        raise InvalidInputError(f"the account's {what} is needed, on standard input")
    if recovery:
        return accounts.open_with_recovery_code(session, args.account, secret)[1]
    return accounts.authenticate(session, res.master, res.hasher, args.account, secret)


def cmd_account_create(args: argparse.Namespace) -> int:
    from wallet.main import open_resources
    from wallet.service import accounts, identities

    password = _read_password()
    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        made = accounts.create_account(session, res.hasher, args.email, password)
        identity = identities.create_identity(session, made.who)
        out = {
            "id": made.account.id,
            "email": made.account.email,
            "did": identity.did,
            "recovery_code": made.recovery_code,
        }
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"created {out['email']} ({out['did']})")
    print(f"recovery code: {made.recovery_code}")
    print(
        "keep it apart from the password, it is shown once: without the password and without "
        "it, nobody can open this account again",
        file=sys.stderr,
    )
    return 0


def cmd_account_delete(args: argparse.Namespace) -> int:
    """The operator deletes an account nobody can open any more (password and kit lost), so
    its person can sign up again with the same address. Nothing of it can be read: erased."""
    from wallet.main import open_resources
    from wallet.service import accounts

    if not args.yes:
        print(
            "musette: this erases the account and everything it holds; confirm with --yes",
            file=sys.stderr,
        )
        return 2
    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        account = accounts.find_account(session, args.email)
        accounts.delete_account(session, account.id)
    print(f"deleted {args.email}")
    return 0


def cmd_account_legacy(args: argparse.Namespace) -> int:
    """The accounts still wrapped by the master key (never signed in since the change)."""
    from wallet.main import open_resources
    from wallet.service import accounts

    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        rows = [
            {"id": a.id, "email": a.email, "created_at": a.created_at.isoformat()}
            for a in accounts.legacy_accounts(session)
        ]
    if args.json:
        print(json.dumps(rows))
    else:
        for row in rows:
            print(f"{row['email']} {row['id']} {row['created_at']}")
        print(f"{len(rows)} account(s) still wrapped by the master key", file=sys.stderr)
    return 0


def cmd_receive(args: argparse.Namespace) -> int:
    from wallet.main import open_resources
    from wallet.service import receiving

    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        who = open_account(session, res, args)
        accepted = receiving.receive(
            session,
            who,
            res.fetcher,
            res.verify_context(),
            args.offer_uri,
            tx_code=args.tx_code,
            max_bytes=res.settings.max_credential_bytes,
            sphere=args.sphere,
        )
        out = [v.to_json() for v in accepted.stored]
        failed = [f.to_json() for f in accepted.failed]
    if args.json:
        print(json.dumps({"credentials": out, "failed": failed}, ensure_ascii=False))
    else:
        for item in out:
            print(item["id"])
        for failure in failed:
            print(f"musette: {failure['name']} not received: {failure['detail']}", file=sys.stderr)
    return 1 if failed else 0


def cmd_present(args: argparse.Namespace) -> int:
    from wallet.main import open_resources
    from wallet.service import claim_paths, presenting

    if not args.yes:
        print("musette: presenting discloses your data; confirm with --yes", file=sys.stderr)
        return 2
    disclose = [claim_paths.parse_claim_path(p) for p in args.disclose or []]
    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        who = open_account(session, res, args)
        result = presenting.present(
            session,
            who,
            res.fetcher,
            DidResolver(res.fetcher, allow_http=res.settings.dev),
            res.master,
            args.request_uri,
            credential_id=args.credential,
            disclose=disclose,
            pairwise=args.pairwise,
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"verifier answered HTTP {result['status']}")
        print(json.dumps(result["response"], indent=2, ensure_ascii=False))
    return 0 if result["status"] < 400 else 1


def cmd_rights(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from wallet.main import open_resources
    from wallet.service import rights

    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        who = open_account(session, res, args)
        estimate = rights.rights_of(
            session, who, res.verify_context(), today=datetime.now(UTC).date(), year=args.year
        )
    out = estimate.to_json()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print("An estimate, not a decision: Le Compte Benevole and the association's valideur decide.")
    for year in out["years"]:
        verdict = f"{year['amount_eur']} EUR" if year["eligible"] else "conditions not met"
        print(f"{year['year']}: {year['hours_total']} h that count, {verdict}")
        for assoc in year["associations"]:
            print(f"  {assoc['name']}: {assoc['hours']} h")
        print(f"  declare from {year['declare_from']} to {year['declare_until']}")
    print(f"total {out['total_eur']} EUR (cap {out['cap_eur']} EUR)")
    return 0


def cmd_experience_add(args: argparse.Namespace) -> int:
    from wallet.main import open_resources
    from wallet.service import endorsements, self_declared

    kind = args.kind or self_declared.SPHERE_KINDS.get(args.sphere or "work")
    if kind is None:
        print(
            f"musette: --sphere is one of {', '.join(self_declared.SPHERE_KINDS)}", file=sys.stderr
        )
        return 2
    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        who = open_account(session, res, args)
        view = endorsements.create_experience(
            session,
            who,
            title=args.title,
            organisation=args.org,
            start_date=self_declared.month_or_day(args.start) or "",
            end_date=self_declared.month_or_day(args.end, end=True),
            description=args.description or "",
            kind=kind,
            skills=args.skills or "",
            ctx=res.verify_context(),
            max_bytes=res.settings.max_credential_bytes,
        )
        out = view.to_json()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(out["credential_id"])
    return 0


def add_secret_flag(parser: Any) -> None:
    parser.add_argument(
        "--recovery-code",
        action="store_true",
        help="standard input holds the recovery code, not the password",
    )


def register(sub: Any) -> None:
    """Add ``musette wallet …`` to the main parser."""
    wallet = sub.add_parser("wallet", help="the holder wallet (accounts, receive, present)")
    wallet.add_argument("--data-dir", help="data folder (default ./var, or MUSETTE_DATA_DIR)")
    add_dev_flag(wallet)
    wsub = wallet.add_subparsers(dest="wallet_command", required=True)

    account = wsub.add_parser("account", help="wallet accounts")
    asub = account.add_subparsers(dest="account_command", required=True)
    create = asub.add_parser("create", help="create an account (password on stdin)")
    create.add_argument("email")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=cmd_account_create)
    delete = asub.add_parser(
        "delete", help="erase an account (its password and recovery kit lost: nobody can open it)"
    )
    delete.add_argument("email")
    delete.add_argument("--yes", action="store_true", help="confirm the erasure")
    delete.set_defaults(func=cmd_account_delete)
    legacy = asub.add_parser(
        "legacy", help="accounts still wrapped by the master key (not signed in since)"
    )
    legacy.add_argument("--json", action="store_true")
    legacy.set_defaults(func=cmd_account_legacy)

    receive = wsub.add_parser("receive", help="accept an OpenID4VCI credential offer")
    receive.add_argument("offer_uri", metavar="OFFER_URI")
    receive.add_argument("--account", required=True, metavar="EMAIL")
    add_secret_flag(receive)
    receive.add_argument("--tx-code", help="the transaction code the issuer sent")
    receive.add_argument("--sphere", help="work, association, personal, or your own")
    receive.add_argument("--json", action="store_true")
    receive.set_defaults(func=cmd_receive)

    present = wsub.add_parser("present", help="answer an OpenID4VP presentation request")
    present.add_argument("request_uri", metavar="REQUEST_URI")
    present.add_argument("--account", required=True, metavar="EMAIL")
    add_secret_flag(present)
    present.add_argument("--credential", metavar="ID", help="the credential to present")
    present.add_argument(
        "--disclose",
        nargs="*",
        metavar="PATH",
        help="SD-JWT claims to disclose (credentialSubject.result.0.value; * for every element)",
    )
    present.add_argument(
        "--pairwise", action="store_true", help="sign with a key for this verifier only"
    )
    present.add_argument("--yes", action="store_true", help="consent to the disclosure")
    present.add_argument("--json", action="store_true")
    present.set_defaults(func=cmd_present)

    rights = wsub.add_parser(
        "rights", help="estimate Compte d'engagement citoyen rights from volunteer badges"
    )
    rights.add_argument("--account", required=True, metavar="EMAIL")
    add_secret_flag(rights)
    rights.add_argument("--year", type=int, help="only this civil year")
    rights.add_argument("--json", action="store_true")
    rights.set_defaults(func=cmd_rights)

    experience = wsub.add_parser("experience", help="self-declared experiences")
    esub = experience.add_subparsers(dest="experience_command", required=True)
    add = esub.add_parser(
        "add", help="describe an experience; the wallet signs it as a self-declared credential"
    )
    add.add_argument("--account", required=True, metavar="EMAIL")
    add_secret_flag(add)
    add.add_argument("--title", required=True, help="the role")
    add.add_argument("--org", required=True, help="the organisation")
    add.add_argument("--from", dest="start", required=True, metavar="YYYY-MM[-DD]")
    add.add_argument("--to", dest="end", metavar="YYYY-MM[-DD]", help="leave out if it goes on")
    add.add_argument("--sphere", help="work, platform, freelance, volunteering or training")
    add.add_argument("--kind", help="job, mission, gig, volunteering or training")
    add.add_argument("--description", help="what you did")
    add.add_argument("--skills", help="skills, separated by commas")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_experience_add)
    from musette.cli_wallet_export import register_export  # imports this module back
    from musette.cli_wallet_local import register_local

    register_export(wsub)
    register_local(wsub)
