"""The request line's record made from a template is the one ``ACCESS.info`` makes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from servicekit import logs
from servicekit.logs import ACCESS, REQUEST_ID, JsonFormatter, lighten_log_records

FIELDS = {
    "service": "verifier",
    "method": "POST",
    "path": "/verifications",
    "status": 200,
    "duration_ms": 0.412,
}
TIMES = ("created", "msecs", "relativeCreated")


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def light() -> Iterator[None]:
    """Production's light records, then the flags as they were."""
    saved = (
        logging._srcfile,
        logging.logThreads,
        logging.logProcesses,
        logging.logMultiprocessing,
    )
    lighten_log_records()
    try:
        yield
    finally:
        (
            logging._srcfile,
            logging.logThreads,
            logging.logProcesses,
            logging.logMultiprocessing,
        ) = saved


@pytest.fixture
def kept() -> Iterator[Keep]:
    handler = Keep()
    ACCESS.addHandler(handler)
    level = ACCESS.level
    ACCESS.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        ACCESS.removeHandler(handler)
        ACCESS.setLevel(level)


def test_the_template_record_is_the_one_info_makes(light: None, kept: Keep) -> None:
    ACCESS.info("request", extra=FIELDS)
    made = logs._access_record(dict(FIELDS))
    assert made is not None
    ACCESS.handle(made)
    by_info, by_template = kept.records
    assert type(by_template) is type(by_info)
    expected = {k: v for k, v in vars(by_info).items() if k not in TIMES}
    assert {k: v for k, v in vars(by_template).items() if k not in TIMES} == expected
    assert by_template.created >= by_info.created
    assert by_template.msecs == int((by_template.created % 1) * 1000)
    token = REQUEST_ID.set("rid-7")
    try:
        lines = [json.loads(JsonFormatter().format(r)) for r in kept.records]
    finally:
        REQUEST_ID.reset(token)
    for line in lines:
        del line["time"]
    assert lines[0] == lines[1]
    assert lines[0]["request_id"] == "rid-7"
    assert lines[0]["status"] == 200


def test_each_record_has_its_own_fields_and_time(light: None) -> None:
    first = logs._access_record({**FIELDS, "status": 404})
    second = logs._access_record(dict(FIELDS))
    assert first is not None
    assert second is not None
    assert first is not second
    assert vars(first)["status"] == 404
    assert vars(second)["status"] == 200
    assert "status" not in logs._ACCESS_TEMPLATE  # the template keeps no request's field


def test_records_that_want_the_caller_or_thread_are_made_by_info(light: None) -> None:
    logging.logThreads = True
    assert logs._access_record(dict(FIELDS)) is None
    logging.logThreads = False
    logging._srcfile = __file__
    assert logs._access_record(dict(FIELDS)) is None


def test_records_of_another_factory_are_made_by_info(light: None) -> None:
    factory = logging.getLogRecordFactory()

    def custom(*args: object, **kwargs: object) -> logging.LogRecord:
        return factory(*args, **kwargs)

    logging.setLogRecordFactory(custom)
    try:
        assert logs._access_record(dict(FIELDS)) is None
    finally:
        logging.setLogRecordFactory(factory)
    assert logs._access_record(dict(FIELDS)) is not None


def reference_line(record: logging.LogRecord) -> dict[str, object]:
    """The formatter's line as it was written before it remembered extra names."""
    from datetime import UTC, datetime

    entry: dict[str, object] = {
        "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "message": record.getMessage(),
    }
    fields = record.__dict__
    for key in [k for k in fields if k not in logs._RESERVED]:
        if key[0] != "_" and key not in entry:
            entry[key] = fields[key]
    return entry


@pytest.mark.parametrize(
    "extra",
    [
        {},
        dict(FIELDS),
        {"zeta": 1, "alpha": [1, 2], "_private": "hidden", "level": "not this one"},
        {"order": "kept", "b": 2, "a": 1},
    ],
)
def test_the_formatter_writes_every_extra_in_order(extra: dict[str, object]) -> None:
    logger = logging.getLogger("musette.test")
    for _ in range(2):  # the second time, the names are remembered
        record = logger.makeRecord(logger.name, logging.INFO, "f", 1, "m %s", ("x",), None)
        record.__dict__.update(extra)
        line = json.loads(JsonFormatter().format(record))
        assert line == reference_line(record)
        assert list(line) == list(reference_line(record))
    assert "_private" not in line


def test_remembered_extra_names_are_bounded() -> None:
    logger = logging.getLogger("musette.test")
    for n in range(logs._EXTRA_KEYS_MAX + 20):
        record = logger.makeRecord(logger.name, logging.INFO, "f", 1, "m", (), None)
        record.__dict__[f"field{n}"] = n
        assert json.loads(JsonFormatter().format(record))[f"field{n}"] == n
    assert len(logs._EXTRA_KEYS) <= logs._EXTRA_KEYS_MAX
