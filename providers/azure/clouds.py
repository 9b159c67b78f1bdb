"""Azure's clouds (where ARM is, where its tokens come from), and which ARM endpoints are
theirs or this machine's: tokens for anywhere else would leave Azure and this machine, which
:class:`~.config.ProviderConfig` allows only when told to."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

__all__ = ["CLOUDS", "Cloud", "cloud_of"]


@dataclass(frozen=True)
class Cloud:
    """One Azure cloud: where ARM is and where its tokens come from."""

    name: str
    """Canonical name, as ``az cloud list`` spells it."""
    arm_endpoint: str
    """ARM base URL, no trailing slash."""
    authority_host: str
    """Microsoft Entra authority host for azure-identity."""

    @property
    def token_scope(self) -> str:
        """The scope of an ARM token in this cloud."""
        return f"{self.arm_endpoint}/.default"


#: The clouds, keyed by lower-cased name.
CLOUDS: Final[Mapping[str, Cloud]] = {
    c.name.lower(): c
    for c in (
        Cloud("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
        Cloud(
            "AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"
        ),
        Cloud("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
    )
}


def _format_host(hostname: str, port: int) -> str:
    host = hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets in a URL
        host = f"[{host}]"
    return host if port == 443 else f"{host}:{port}"


def cloud_of(arm_endpoint: str) -> Cloud | None:
    """The Azure cloud whose ARM base URL ``arm_endpoint`` is, if any."""
    return next((c for c in CLOUDS.values() if c.arm_endpoint == arm_endpoint), None)


def _custom_host(arm_endpoint: str, cloud: Cloud) -> str | None:
    """``host[:port]`` of ``arm_endpoint`` when tokens of ``cloud`` sent there would leave that
    cloud and this machine: neither ``cloud``'s own ARM nor a loopback address. ``None``
    otherwise. Another cloud's ARM is as foreign to ``cloud``'s tokens as any other host.

    Loopback is ``localhost`` or an IP literal in 127.0.0.0/8 or ::1, nothing resolved by DNS
    (a name such as 127.0.0.1.nip.io can point anywhere).
    """
    if arm_endpoint == cloud.arm_endpoint:
        return None
    parts = urlsplit(arm_endpoint)
    hostname = (parts.hostname or "").lower()
    if hostname == "localhost":
        return None
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        address = None  # a name, not an address
    # Exactly 127.0.0.0/8 and ::1: what Python calls loopback among IPv4-mapped addresses
    # has changed between versions.
    if address is not None and address.is_loopback and address.version == 4:
        return None
    if address == ipaddress.IPv6Address("::1"):
        return None
    return arm_endpoint.removeprefix("https://")
