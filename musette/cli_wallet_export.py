"""``musette wallet export``: the chosen credentials as a printable CV (PDF) or Europass."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def cmd_export(args: argparse.Namespace) -> int:
    from musette.cli_wallet import _settings, open_account
    from wallet.main import open_resources
    from wallet.service.exports import europass, items, pdf

    ids = items.parse_ids(args.credentials)
    if args.format == "pdf" and not pdf.weasyprint_available():
        print(
            "musette: the PDF needs pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0",
            file=sys.stderr,
        )
        return 2
    with open_resources(_settings(args)) as res, res.sessions.begin() as session:
        who = open_account(session, res, args)
        base = res.settings.base_url
        chosen = items.collect(session, who, ids, args.language, base)
        if args.format == "pdf":
            data = pdf.render_pdf(chosen, args.language, args.holder)
        else:
            title = (
                "Mes badges vérifiables" if args.language == "fr" else "My verifiable credentials"
            )
            document = europass.to_elm(
                chosen,
                args.language,
                args.holder,
                base,
                country=args.country,
                image_png=europass.display_png(chosen, title),
            )
            data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    Path(args.out).write_bytes(data)
    for item in chosen:  # the share links the export points to (revocable in the history)
        print(f"{item.credential_id} {item.share_url}")
    return 0


def register_export(wsub: Any) -> None:
    export = wsub.add_parser("export", help="export credentials as a PDF CV or Europass (ELM v3)")
    export.add_argument("--account", required=True, metavar="EMAIL")
    from musette.cli_wallet import add_secret_flag

    add_secret_flag(export)
    export.add_argument("--format", required=True, choices=["pdf", "europass"])
    export.add_argument("--credentials", required=True, metavar="ID,ID…")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--language", choices=["fr", "en"], default="fr")
    export.add_argument("--holder", help="your name, as the export should show it")
    export.add_argument("--country", help="your country (ISO 3166-1 alpha-2), for Europass")
    export.set_defaults(func=cmd_export)
