"""Coverage-guided fuzzing of the parsers of outside input (atheris, run by `make fuzz`).

Each target feeds bytes to one parser. A parser may refuse with the library's own errors
(``shared.errors.VcError`` and its subclasses); any other exception is a finding, which
atheris reports with the input that caused it. Not part of CI: run for a bounded time with

    make fuzz                      # every target, FUZZ_SECONDS each (default 60)
    .venv/bin/python fuzz/targets.py sd_jwt -max_total_time=300
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable

import atheris

with atheris.instrument_imports(include=["shared", "issuer"], enable_loader_override=False):
    from issuer.service.spreadsheet import read_table
    from shared.did.methods import did_web_url, resolve_did_jwk, resolve_did_key
    from shared.encoding.base64url import b64url_decode
    from shared.encoding.json_limits import parse_json
    from shared.encoding.multibase import multibase_decode
    from shared.errors import VcError
    from shared.proofs.sd_jwt import parse_disclosure, parse_sd_jwt
    from shared.protocols.dcql import parse_dcql_query
    from shared.status.bitstring import expand_bitstring
    from shared.verify.envelope import parse_data_url


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _json_then(parse: Callable[[object], object]) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        return parse(parse_json(data))

    return run


TARGETS: dict[str, Callable[[bytes], object]] = {
    "json": parse_json,
    "base64url": lambda data: b64url_decode(_text(data)),
    "multibase": lambda data: multibase_decode(_text(data)),
    "sd_jwt": lambda data: parse_sd_jwt(_text(data)),
    "disclosure": lambda data: parse_disclosure(_text(data)),
    "dcql": _json_then(parse_dcql_query),
    "did_web": lambda data: did_web_url("did:web:" + _text(data)),
    "did_key": lambda data: resolve_did_key("did:key:" + _text(data)),
    "did_jwk": lambda data: resolve_did_jwk("did:jwk:" + _text(data)),
    "bitstring": lambda data: expand_bitstring(_text(data)),
    "data_url": lambda data: parse_data_url("data:" + _text(data)),
    "csv": lambda data: read_table(data, known=lambda _: True, max_rows=100, max_bytes=100_000),
}


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    target = TARGETS.get(name)
    if target is None:
        sys.exit(f"usage: targets.py {{{','.join(TARGETS)}}} [libFuzzer options]")

    def one_input(data: bytes) -> None:
        with contextlib.suppress(VcError):
            target(data)

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
