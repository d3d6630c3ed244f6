"""docs/configuration.md is generated from the settings classes and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from verifier.settings import VerifierSettings

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_configuration", ROOT / "docs" / "gen_configuration.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_doc_is_current() -> None:
    """Regenerate with ``.venv/bin/python docs/gen_configuration.py > docs/configuration.md``."""
    expected = _generator().render()
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == expected


def test_configuration_doc_names_every_variable_of_every_service() -> None:
    module = _generator()
    page = module.render()
    for _service, cls in module.SERVICES:
        prefix = cls.model_config["env_prefix"]
        for name in cls.model_fields:
            assert f"`{prefix}{name.upper()}`" in page
    assert "`MUSETTE_ISSUER_PUBLIC_URL`" in page
    assert "`MUSETTE_VERIFIER_REQUEST_TTL_SECONDS`" in page


def test_configuration_doc_reads_field_comments() -> None:
    found = _generator().field_comments(VerifierSettings)
    assert found["request_ttl_seconds"] == "how long an OpenID4VP request can be answered"
    assert found["dev"].startswith("development mode")  # from BaseServiceSettings
    assert "status_cache_entries" not in found  # no comment of its own: none borrowed
