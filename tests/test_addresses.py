"""Which addresses the follower may connect to (newssearch.live.addresses): no network here."""

from __future__ import annotations

import pytest

from newssearch.errors import AddressRefused
from newssearch.live.addresses import AddressPolicy, authority


@pytest.mark.parametrize(("address", "judged", "kind"), [
    ("169.254.169.254", "169.254.169.254", "cloud metadata"),
    ("169.254.170.2", "169.254.170.2", "cloud metadata"),
    ("fd00:ec2::254", "fd00:ec2::254", "cloud metadata"),
    ("100.100.100.200", "100.100.100.200", "cloud metadata"),
    ("::ffff:169.254.169.254", "169.254.169.254", "cloud metadata"),  # IPv4 inside IPv6 is judged as the IPv4 address
    ("64:ff9b::a9fe:a9fe", "169.254.169.254", "cloud metadata"),  # NAT64 of 169.254.169.254
    ("169.254.1.1", "169.254.1.1", "link-local"),
    ("fe80::1", "fe80::1", "link-local"),
])
def test_never(address: str, judged: str, kind: str) -> None:
    for policy in (AddressPolicy(), AddressPolicy(allow_private=True), AddressPolicy(trusted=frozenset({"h:80"}))):
        assert policy.refusal("h", 80, address) == f"address refused: h resolves to {judged}, a {kind} address (never fetched)"


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "unique local"),
    ("100.64.0.1", "shared (carrier-grade NAT)"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "private"),  # reserved, which Python also counts private
    ("192.0.2.7", "private"),  # documentation
    ("::ffff:10.0.0.1", "private"),
])
def test_not_public_unless_trusted_or_allowed(address: str, kind: str) -> None:
    refusal = AddressPolicy().refusal("h", 80, address)
    assert refusal is not None and f"{kind} address (allowed only on a followed feed's own host and port" in refusal
    assert AddressPolicy(allow_private=True).refusal("h", 80, address) is None
    assert AddressPolicy().trusting(["http://h/feed.xml"]).refusal("h", 80, address) is None
    assert AddressPolicy().trusting(["http://h:8080/feed.xml"]).refusal("h", 80, address) is not None  # another port


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert AddressPolicy().refusal("h", 443, address) is None


def test_authority_fills_in_the_default_port_and_folds_case() -> None:
    assert authority("http://Example.ORG/feed") == "example.org:80"
    assert authority("https://example.org./feed") == "example.org:443"
    assert authority("http://[::1]:8000/feed") == "[::1]:8000"


def test_addresses_resolves_once_and_keeps_only_the_allowed() -> None:
    calls = []

    def resolver(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["169.254.169.254", "10.0.0.5", "93.184.216.34"]

    assert AddressPolicy(resolver=resolver).addresses("news.test", 80) == ["93.184.216.34"]
    assert AddressPolicy(allow_private=True, resolver=resolver).addresses("news.test", 80) == ["10.0.0.5", "93.184.216.34"]
    assert calls == [("news.test", 80)] * 2
    with pytest.raises(AddressRefused, match=r"^news.test:80: address refused: news.test resolves to 169.254.169.254"):
        AddressPolicy(resolver=lambda h, p: ["169.254.169.254"]).addresses("news.test", 80)
    with pytest.raises(AddressRefused, match=r"^\[::1\]:80: address refused: \[::1\], a loopback address"):
        AddressPolicy(resolver=resolver).addresses("[::1]", 80)  # a literal is not resolved
    assert len(calls) == 2
