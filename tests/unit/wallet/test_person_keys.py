"""Keys the person holds (docs/decisions/person-held-keys.md): the password key, the recovery
code, the copies sealed for sessions and tokens, and the inbox; hostile inputs to each parser."""

from __future__ import annotations

import re

import pytest

from wallet.service.vault import (
    AccountVault,
    KdfParams,
    MasterKey,
    VaultError,
    new_data_key,
    new_inbox_keys,
    new_recovery_code,
    new_salt,
    open_from,
    password_key,
    recovery_key,
    seal_to,
    secret_key,
    unwrap_data_key,
    wrap_data_key,
)

CHEAP = KdfParams(time_cost=1, memory_kib=64, parallelism=1)


def test_the_password_key_depends_on_password_salt_and_parameters() -> None:
    salt = new_salt()
    key = password_key("correct horse", salt, CHEAP)
    assert len(key) == 32
    assert password_key("correct horse", salt, CHEAP) == key
    assert password_key("correct horsf", salt, CHEAP) != key
    assert password_key("correct horse", new_salt(), CHEAP) != key
    assert password_key("correct horse", salt, KdfParams(2, 64, 1)) != key


def test_a_wrapped_data_key_opens_only_with_its_key_account_and_purpose() -> None:
    data_key, key = new_data_key(), secret_key("a session token", "session")
    wrapped = wrap_data_key(key, "alice", data_key, "session")
    assert unwrap_data_key(key, "alice", wrapped, "session").data_key == data_key
    for account, purpose in (("bob", "session"), ("alice", "api-token"), ("alice", "password")):
        with pytest.raises(VaultError):
            unwrap_data_key(key, account, wrapped, purpose)
    with pytest.raises(VaultError):
        unwrap_data_key(secret_key("another token", "session"), "alice", wrapped, "session")
    with pytest.raises(VaultError):
        unwrap_data_key(secret_key("a session token", "api-token"), "alice", wrapped, "session")


def test_recovery_codes_are_160_bits_grouped_and_forgiving_when_typed() -> None:
    code = new_recovery_code()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", code)
    assert new_recovery_code() != code
    key = recovery_key(code, "alice")
    assert recovery_key(code.lower().replace("-", " "), "alice") == key
    assert recovery_key(code, "bob") != key
    misread = code.replace("O", "0").replace("I", "1").replace("B", "8")
    assert recovery_key(misread, "alice") == key


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "AAAA",
        "AAAA-" * 8 + "AAAA",
        "é" * 32,
        "A" * 5000,
        "ÀÀÀÀ-" * 7 + "AAAA",
        "\x00" * 32,
        "====" * 8,
        "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA9",
    ],
)
def test_hostile_recovery_codes_are_refused(hostile: str) -> None:
    with pytest.raises(VaultError):
        recovery_key(hostile, "alice")


def test_kdf_parameters_round_trip() -> None:
    params = KdfParams(3, 65536, 4)
    assert KdfParams.decode(params.encode()) == params


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "argon2id",
        "argon2i;t=1;m=64;p=1",
        "argon2id;t=1;m=64",
        "argon2id;t=x;m=64;p=1",
        "argon2id;t=1;m=64;p=1;q=2",
        "argon2id;t=0;m=64;p=1",
        "argon2id;t=1;m=4;p=1",
        "argon2id;t=-1;m=64;p=1",
        "argon2id;t=999999999999;m=64;p=1",
        "argon2id;t=1;m=64;p=0",
    ],
)
def test_hostile_kdf_parameters_are_refused(hostile: str) -> None:
    with pytest.raises(VaultError):
        KdfParams.decode(hostile)


def test_the_inbox_opens_only_with_the_data_key() -> None:
    vault = AccountVault("alice", new_data_key())
    public, private_ct = new_inbox_keys(vault)
    sealed = seal_to(public, b"an endorsement", "inbox:alice:endorsement:1")
    assert open_from(vault, private_ct, sealed, "inbox:alice:endorsement:1") == b"an endorsement"
    with pytest.raises(VaultError):  # moved to another row
        open_from(vault, private_ct, sealed, "inbox:alice:endorsement:2")
    with pytest.raises(VaultError):  # another data key: the private key does not open
        open_from(
            AccountVault("alice", new_data_key()), private_ct, sealed, "inbox:alice:endorsement:1"
        )
    for hostile in (b"", b"x" * 31, sealed[:40], bytes(32) + sealed[32:], sealed[:-1] + b"\x00"):
        with pytest.raises(VaultError):
            open_from(vault, private_ct, hostile, "inbox:alice:endorsement:1")


def test_the_master_check_value_tells_a_wrong_secret() -> None:
    master = MasterKey(b"k" * 32)
    value = master.check_value()
    assert master.opens(value)
    assert not MasterKey(b"j" * 32).opens(value)
    assert not master.opens(value[:-1])
    assert not master.opens(b"")
