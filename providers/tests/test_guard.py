"""The address guard's ranges: IPv6 site-local (fec0::/10), which Python counts as global,
is refused like the other private ranges."""

from __future__ import annotations

import pytest

from providers import guard


@pytest.mark.parametrize("address", ["fec0::1", "fec0:1:2::5", "feff:ffff::1"])
def test_site_local_ipv6_is_refused_like_the_other_private_ranges(address):
    assert guard.forbidden_reason(address) == "site-local"
    assert guard.forbidden_reason(address, allow_loopback=True) == "site-local"
    with pytest.raises(guard.UnsafeTarget, match="a site-local address"):
        guard.Policy().check_url(f"http://[{address}]:8080/take.wav")
