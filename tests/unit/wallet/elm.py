"""Validate a document against ELM v3's published SHACL shapes (tests/data/elm, offline)."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pyshacl
import rdflib

ROOT = Path(__file__).parents[3]
ELM = ROOT / "tests" / "data" / "elm"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@cache
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ELM / "EDC-generic-no-cv.ttl")


@cache
def _contexts() -> list[Any]:
    credentials = ROOT / "shared" / "jsonld" / "contexts" / "credentials-v1.jsonld"
    return [
        json.loads(credentials.read_text())["@context"],
        json.loads((ELM / "edc-ap-context.jsonld").read_text())["@context"],
    ]


def sample() -> dict[str, Any]:
    return dict(json.loads((ELM / "Sample-CertOfPart-unsigned.jsonld").read_text()))


def violations(document: dict[str, Any]) -> set[str]:
    """The SHACL paths violated (deepest result of each), e.g. {"elm:eidasLegalIdentifier"}."""
    assert document["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "http://data.europa.eu/snb/model/context/edc-ap",
    ]
    offline = {**document, "@context": _contexts()}
    with warnings.catch_warnings():  # rdflib 7 warns about its own ConjunctiveGraph inside
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(data=json.dumps(offline), format="json-ld")
        _, report, _ = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert isinstance(report, rdflib.Graph)
    found = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if (result, SH.detail, None) in report:
            continue  # a summary of nested results, which are listed themselves
        path = report.value(result, SH.resultPath)
        found.add(report.namespace_manager.normalizeUri(str(path)) if path else str(result))
    return found
