"""The ``musette`` command line: keys, sign, verify, and running the services."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from musette import cli_issuer, cli_verifier, cli_wallet
from musette.devmode import add_dev_flag, dev_mode_announced
from musette.keyfile import read_key_file, write_key_file
from musette.signing import (
    CLAIM_PATH_HELP,
    FORMATS,
    PRESENTATION_FORMATS,
    present_credentials,
    sign_document,
)
from shared.did import DidResolver, did_key_from_public
from shared.errors import InvalidInputError, VcError
from shared.keys import PrivateKey
from shared.model.identity import recipient_matches
from shared.net.fetch import HttpFetcher
from shared.verify.context import VerifyContext, fixed_clock
from shared.verify.credential import verify_credential

EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2


def cmd_verify(args: argparse.Namespace) -> int:
    dev = dev_mode_announced(args)
    try:
        data = Path(args.path).read_bytes()
    except OSError as err:
        print(f"musette: cannot read {args.path}: {err.strerror}", file=sys.stderr)
        return EXIT_UNUSABLE
    fetcher = HttpFetcher(allow_loopback=dev)
    ctx = VerifyContext(
        fetcher=fetcher,
        resolver=DidResolver(fetcher, allow_http=dev),
        challenge=args.challenge,
        domain=args.domain,
        nonce=args.nonce,
        audience=args.aud,
    )
    report = verify_credential(data, ctx, clock=fixed_clock(args.at) if args.at else None)
    out = report.to_json()
    # the recipient a person says they are, checked against the (hashed) identifier (OB 3.0)
    asked = {"name": args.recipient, "emailAddress": args.recipient_email}
    checked = {
        kind: recipient_matches(report.credential, value, kind)
        for kind, value in asked.items()
        if value is not None
    }
    if checked:
        out["recipient"] = checked
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(render_report(out))
    if not report.usable:
        return EXIT_UNUSABLE
    if not report.verified or any(v is not True for v in checked.values()):
        return EXIT_NOT_VERIFIED
    return EXIT_VERIFIED


def parse_moment(text: str) -> datetime:
    """``--at``: an ISO 8601 date-time (UTC when it has no offset) or a date (00:00 UTC)."""
    value = text.strip()
    try:
        if len(value) == 10:  # YYYY-MM-DD
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 date or date-time, e.g. 2026-01-31T12:00:00Z"
        ) from err
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def render_report(report: dict[str, Any], indent: str = "") -> str:
    """Human-readable report: one line per check."""
    marks = {"passed": "✔", "failed": "✘", "skipped": "-"}
    head = "VERIFIED" if report["verified"] else "NOT VERIFIED"
    lines = [f"{indent}{head} ({report['format']})"]
    if report.get("issuer"):
        lines.append(f"{indent}  issuer:  {report['issuer']}")
    if report.get("self_declared"):
        lines.append(f"{indent}  self-declared: the issuer is the holder (issuer == subject)")
    for check in report["checks"]:
        lines.append(f"{indent}  {marks[check['status']]} {check['name']}: {check['reason']}")
    words = {True: "✔ matches", False: "✘ does not match", None: "- not in the credential"}
    for kind, found in report.get("recipient", {}).items():
        lines.append(f"{indent}  recipient {kind}: {words[found]}")
    for sub in report.get("credentials", []):
        lines.append(render_report(sub, indent + "    "))
    return "\n".join(lines)


def cmd_keys_new(args: argparse.Namespace) -> int:
    key = PrivateKey.generate(args.type)
    if args.out:
        write_key_file(key, Path(args.out))
    else:
        from musette.keyfile import key_document

        print(json.dumps(key_document(key), indent=2))
    print(did_key_from_public(key.public_key), file=sys.stderr if not args.out else sys.stdout)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    key = read_key_file(Path(args.key))
    holder = read_key_file(Path(args.holder_key)) if args.holder_key else None
    if holder is not None and args.format != "dc+sd-jwt":
        raise InvalidInputError("--holder-key (the cnf key) applies to dc+sd-jwt only")
    document = json.loads(Path(args.input).read_text())
    signed = sign_document(
        document, key, args.format, disclose=args.disclose or [], holder_key=holder
    )
    print(signed if isinstance(signed, str) else json.dumps(signed, indent=2, ensure_ascii=False))
    return 0


def read_credential_file(path: Path) -> Any:
    """A credential file: JSON, or a compact JWT / SD-JWT (surrounding whitespace ignored)."""
    text = path.read_text().strip()
    return json.loads(text) if text.startswith("{") else text


def cmd_present(args: argparse.Namespace) -> int:
    holder = read_key_file(Path(args.holder_key))
    credentials = [read_credential_file(Path(p)) for p in args.credentials]
    presented = present_credentials(
        credentials,
        holder,
        nonce=args.nonce,
        audience=args.aud,
        fmt=args.format,
        disclose=args.disclose or [],
    )
    if isinstance(presented, str):
        print(presented)
    else:
        print(json.dumps(presented, indent=2, ensure_ascii=False))
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from musette.up import run_services

    # off unless asked for: `make run` passes --dev for the local demo
    return run_services(dev=dev_mode_announced(args), host=args.host, data_dir=args.data_dir)


def register_service_commands(sub: Any) -> None:
    """``musette issuer|wallet|verifier …``: each service's ``musette/cli_<name>.py``."""
    for module in (cli_issuer, cli_wallet, cli_verifier):
        module.register(sub)


def register_ops_commands(sub: Any) -> None:
    """``musette migrate`` and ``musette serve`` (production; ``musette/serve.py``)."""
    from musette import serve

    serve.register(sub, dev_mode_announced)
    for name in ("migrate", "serve"):
        add_dev_flag(sub.choices[name])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="musette", description=__doc__)
    add_dev_flag(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    verify = sub.add_parser("verify", help="verify a credential or presentation")
    verify.add_argument("path", help="JSON, JWT, SD-JWT, or baked PNG/SVG file")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    add_dev_flag(verify)
    verify.add_argument("--challenge", help="expected Data Integrity challenge")
    verify.add_argument("--domain", help="expected Data Integrity domain")
    verify.add_argument("--nonce", help="expected JWT / KB-JWT nonce")
    verify.add_argument("--aud", help="expected JWT / KB-JWT audience")
    verify.add_argument(
        "--at",
        type=parse_moment,
        metavar="TIME",
        help="verify as of TIME (ISO 8601, e.g. 2026-01-31T12:00:00Z; UTC when no offset "
        "is given) instead of now: validity, proof and status list dates",
    )
    verify.add_argument(
        "--recipient",
        metavar="NAME",
        help="check that the badge was awarded to NAME (against its name, hashed or in clear); "
        "exit 1 if it was not",
    )
    verify.add_argument(
        "--recipient-email", metavar="EMAIL", help="the same with the recipient's email"
    )
    verify.set_defaults(func=cmd_verify)

    keys = sub.add_parser("keys", help="key management")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    new = keys_sub.add_parser("new", help="create a key file and print its did:key")
    new.add_argument("--type", choices=["ed25519", "p256"], default="ed25519")
    new.add_argument("--out", help="key file to write (mode 0600)")
    new.set_defaults(func=cmd_keys_new)

    sign = sub.add_parser("sign", help="sign a credential as the key's did:key")
    sign.add_argument("--key", required=True, help="key file from `musette keys new`")
    sign.add_argument("--format", choices=FORMATS, default="ldp_vc")
    sign.add_argument(
        "--disclose",
        action="append",
        metavar="PATH",
        help="dc+sd-jwt: make PATH selectively disclosable (repeatable; default: the OB 3.0 "
        "defaults). " + CLAIM_PATH_HELP,
    )
    sign.add_argument("--holder-key", help="dc+sd-jwt: key file whose public key goes in cnf")
    sign.add_argument("input", help="unsigned credential (JSON)")
    sign.set_defaults(func=cmd_sign)

    present = sub.add_parser(
        "present", help="present credentials to a verifier (holder key, nonce, audience)"
    )
    present.add_argument("--holder-key", required=True, help="the holder's key file")
    present.add_argument("--nonce", required=True, help="the verifier's nonce (challenge)")
    present.add_argument("--aud", required=True, help="the verifier (audience / domain)")
    present.add_argument(
        "--format",
        choices=PRESENTATION_FORMATS,
        help="default: dc+sd-jwt for one SD-JWT, ldp_vp for JSON credentials, else vp+jwt",
    )
    present.add_argument(
        "--disclose",
        action="append",
        metavar="PATH",
        help="dc+sd-jwt: disclose PATH (repeatable; none: only always-visible claims; "
        "'*': everything). " + CLAIM_PATH_HELP,
    )
    present.add_argument("credentials", nargs="+", metavar="CREDENTIAL", help="credential file")
    present.set_defaults(func=cmd_present)

    up = sub.add_parser("up", help="run the issuer, wallet and verifier with demo data")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--data-dir", help="data folder (default ./var, or MUSETTE_DATA_DIR)")
    add_dev_flag(up)
    up.set_defaults(func=cmd_up)
    register_ops_commands(sub)
    register_service_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``musette`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except VcError as err:
        print(f"musette: {err.detail}", file=sys.stderr)
        return EXIT_UNUSABLE
    except ValidationError as err:  # settings: say what is wrong, not pydantic's internals
        reasons = (str(e["msg"]).removeprefix("Value error, ") for e in err.errors())
        print(f"musette: {'; '.join(reasons)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except (OSError, ValueError) as err:
        print(f"musette: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    return result


if __name__ == "__main__":
    sys.exit(main())
