"""Every corpus case points to a line of docs/threat-model.md, and the corpus is broad."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tests.security.corpus import Case
from tests.security.test_corpus_data_integrity import CASES as DATA_INTEGRITY
from tests.security.test_corpus_jws import CASES as JWS
from tests.security.test_corpus_oid4vci import CASES as OID4VCI
from tests.security.test_corpus_oid4vp import CASES as OID4VP
from tests.security.test_corpus_sd_jwt import CASES as SD_JWT
from tests.security.test_corpus_status_did import CASES as STATUS_DID
from tests.security.test_corpus_web import CASES as WEB

THREAT_MODEL = Path(__file__).resolve().parents[2] / "docs" / "threat-model.md"
ALL: list[Case] = [*JWS, *SD_JWT, *DATA_INTEGRITY, *STATUS_DID, *OID4VCI, *OID4VP, *WEB]


def test_every_case_points_to_a_line_of_the_threat_model() -> None:
    text = THREAT_MODEL.read_text(encoding="utf-8")
    lines = {m.group(1) for m in re.finditer(r"^\| (TM-[A-Z0-9-]+) \|", text, re.MULTILINE)}
    missing = sorted({case.threat for case in ALL} - lines)
    assert not missing, f"add a line to docs/threat-model.md for {missing}"
    unused = sorted(lines - {case.threat for case in ALL})
    assert not unused, f"no corpus case exercises {unused}"


def test_the_corpus_is_broad_and_its_names_unique() -> None:
    ids = Counter(case.id for case in ALL)
    assert [i for i, n in ids.items() if n > 1] == []
    assert len(ALL) >= 250
    families = Counter(case.family for case in ALL)
    expected = {
        "JWS/JWT",
        "SD-JWT VC",
        "Data Integrity",
        "Open Badges rules",
        "Status lists",
        "DIDs",
        "OpenID4VCI",
        "OpenID4VP",
        "Web",
    }
    assert set(families) == expected
    assert min(families.values()) >= 20, families
