"""Retail ID short codes: how they are drawn, and how a QR code URL names one."""

from __future__ import annotations

import pytest

from leafledger.domain.queries.retail_id import ranges
from leafledger.domain.services import retail_id as service


def test_short_codes_are_random_draws_of_the_documented_alphabet() -> None:
    drawn = [service.new_short_code() for _ in range(5000)]
    assert len(set(drawn)) == len(drawn)
    for code in drawn:
        assert len(code) == service.SHORT_CODE_LENGTH == 16
        assert set(code) <= set(service.ALPHABET)
    # Crockford's base 32: 32 symbols, none that reads as another.
    assert len(set(service.ALPHABET)) == 32 and not set("ILOU") & set(service.ALPHABET)
    # Every symbol turns up: the draw uses the whole alphabet.
    assert set("".join(drawn)) == set(service.ALPHABET)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://id.14a.com/3W5E11264SGPN", "3W5E11264SGPN"),
        ("https://id.14a.com/3W5E11264SGPv/more/segments?x=1", "3W5E11264SGPv"),
        ("id.1a4.com/some_qr_code_id", "some_qr_code_id"),
        ("  https://1a4.com/q83vASNFZwAAAQkQTy  ", "q83vASNFZwAAAQkQTy"),
        (f"{service.DEFAULT_RESOLVER}/ABCDEFGHJKMNPQRS", "ABCDEFGHJKMNPQRS"),
        (f"{service.DEFAULT_RESOLVER}/ABCDEFGHJKMNPQRS/qr.png?x=1", "ABCDEFGHJKMNPQRS"),
        ("https://id.example/", None),
        ("https://id.example", None),
        ("https://id.example/a b", None),
        ("https://id.example/" + "A" * 65, None),
    ],
)
def test_a_qr_url_names_its_first_path_segment(url: str, code: str | None) -> None:
    assert service.short_code_of(url) == code


def test_the_resolver_is_the_setting_when_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(service.RESOLVER_SETTING, raising=False)
    assert service.resolver() == "http://127.0.0.1:8000/leafledger/v1/retailid"
    monkeypatch.setenv(service.RESOLVER_SETTING, "https://id.example.com/")
    assert service.resolver() == "https://id.example.com"
    assert service.short_code_of("https://id.example.com/K2ZP") == "K2ZP"


def test_serials_read_as_runs() -> None:
    assert ranges([]) == []
    assert ranges([7, 1, 2, 3, 9, 10]) == [(1, 3), (7, 7), (9, 10)]
