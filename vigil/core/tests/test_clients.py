"""client_address: the forwarded header is believed only from trusted proxies."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from vigil.core.clients import client_address

PROXY = "10.0.0.7"


def address(settings, trusted: list[str], peer: str, forwarded: str | None = None) -> str:
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_it_uses_the_peer_when_no_proxy_is_trusted(settings):
    assert address(settings, [], "198.51.100.9", "192.0.2.1") == "198.51.100.9"


def test_it_ignores_the_header_from_an_untrusted_peer(settings):
    assert address(settings, [PROXY], "198.51.100.9", "192.0.2.1") == "198.51.100.9"


def test_it_takes_the_right_most_untrusted_hop_from_a_trusted_proxy(settings):
    assert address(settings, [PROXY], PROXY, "192.0.2.1, 198.51.100.9") == "198.51.100.9"


def test_it_skips_every_trusted_hop_of_a_chain_of_proxies(settings):
    chain = "192.0.2.1, 198.51.100.9, 10.0.0.3"
    assert address(settings, ["10.0.0.0/24"], PROXY, chain) == "198.51.100.9"


def test_it_uses_the_peer_when_the_trusted_proxy_sends_no_header(settings):
    assert address(settings, [PROXY], PROXY) == PROXY
    assert address(settings, ["10.0.0.0/24"], PROXY, "10.0.0.8") == PROXY


def test_it_believes_nothing_left_of_a_hop_that_is_not_an_address(settings):
    assert address(settings, [PROXY], PROXY, "192.0.2.1, unknown") == PROXY


def test_it_reads_ipv6_and_ports_and_mapped_addresses(settings):
    assert address(settings, ["2001:db8::/48"], "2001:db8::1", "[2001:db8:1::5]:443") == (
        "2001:db8:1::5"
    )
    assert address(settings, [PROXY], f"::ffff:{PROXY}", "198.51.100.9:5555") == "198.51.100.9"


def test_a_malformed_setting_stops_the_start_with_one_clear_line(monkeypatch):
    import importlib

    import vigil.settings

    monkeypatch.setenv("VIGIL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example")
    with pytest.raises(ImproperlyConfigured, match="VIGIL_TRUSTED_PROXIES"):
        importlib.reload(vigil.settings)
    monkeypatch.delenv("VIGIL_TRUSTED_PROXIES")
    importlib.reload(vigil.settings)
