"""Where a webhook may be delivered: the server-side request forgery guard (issue 21).

A subscription's URL is chosen by a caller, and the registry's functions then
POST to it from inside AWS, where ``169.254.169.254`` answers with instance
credentials and private addresses reach things no caller should. So a URL is
checked when it is registered **and again before every delivery**, on the
addresses its host resolves to *then*; the delivery connects to the very
address that was checked (``services/webhook_delivery.py``), so a DNS answer
that changes between the check and the connection (DNS rebinding) gains
nothing.

Pure: the resolver is passed in (``socket.getaddrinfo`` in production, a stub
in tests), so the rules are tested on literal addresses without a network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from chalicelib.domain.errors import ValidationError

MAX_URL_LENGTH = 2048
FIELD = "url"

# Besides what ``ipaddress`` calls private/loopback/link-local/multicast/reserved:
# carrier-grade NAT (100.64.0.0/10) is not "private" to every Python version.
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True)
class UrlPolicy:
    """What a stage allows. The cloud: ``https`` only, public addresses only.

    ``allow_loopback`` (the local stage only, ``WEBHOOK_ALLOW_LOOPBACK``) lets
    ``make run`` and the tests deliver to a receiver on 127.0.0.1 over plain
    ``http``; private, link-local and metadata addresses stay refused even then.
    """

    allow_loopback: bool = False


@dataclass(frozen=True)
class Target:
    """A checked URL: connect to ``address`` (checked), say ``host`` (Host header, TLS SNI)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _refuse(message: str, message_zh: str) -> ValidationError:
    return ValidationError(message, field=FIELD, message_zh=f"字段 url：{message_zh}")


def _parts(url: object, policy: UrlPolicy) -> SplitResult:
    if not isinstance(url, str) or not url.strip():
        raise _refuse("url is required", "请填写接收地址")
    if len(url) > MAX_URL_LENGTH:
        raise _refuse(f"url is over {MAX_URL_LENGTH} characters", "接收地址过长")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise _refuse("url must not contain spaces or control characters", "接收地址不能含空格")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise _refuse("url is not a valid URL", "接收地址格式不正确") from None
    allowed = ("https", "http") if policy.allow_loopback else ("https",)
    if parts.scheme not in allowed:
        raise _refuse(
            "url must start with https://", "接收地址必须以 https:// 开头（仅支持 HTTPS）"
        )
    if not parts.hostname:
        raise _refuse("url has no host", "接收地址缺少主机名")
    if parts.username is not None or parts.password is not None:
        raise _refuse("url must not carry a user name or password", "接收地址不能包含用户名或密码")
    if parts.fragment:
        raise _refuse("url must not have a #fragment", "接收地址不能包含 # 片段")
    return parts


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 one leads to: mapped, 6to4, Teredo, NAT64 (64:ff9b::/96)."""
    found = [address.ipv4_mapped, address.sixtofour]
    if address.teredo is not None:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [ip for ip in found if ip is not None]


def refusal_of(address: Address, policy: UrlPolicy) -> str | None:
    """Why the registry must not connect to ``address`` (Chinese), or None if it may."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return refusal_of(address.ipv4_mapped, policy)
        for inner in _embedded_ipv4(address):  # a translator would reach that IPv4 address
            reason = refusal_of(inner, UrlPolicy(allow_loopback=False))
            if reason is not None:
                return reason
    if address.is_loopback:
        return None if policy.allow_loopback else "不能使用本机回环地址"
    if address.is_link_local:
        return "不能使用链路本地地址（含云主机元数据地址 169.254.169.254）"
    if address.is_multicast:
        return "不能使用组播地址"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "不能使用运营商级 NAT 地址（100.64.0.0/10）"
    if address.is_unspecified or address.is_reserved:
        return "不能使用保留地址"
    if address.is_private or not address.is_global:
        return "不能使用内网地址"
    return None


def check_url(url: object, policy: UrlPolicy, resolve: Resolver) -> Target:
    """The URL's delivery target, or 400 ``validation_error`` naming ``url``.

    Every address the host resolves to must be allowed (one bad answer among
    good ones is refused: a rebinding resolver would hand it out next time).

    Examples
    --------
    >>> check_url("https://hooks.example.cn/awards", UrlPolicy(),
    ...           lambda host, port: ["203.0.113.7"]).address  # doctest: +SKIP
    '203.0.113.7'
    """
    parts = _parts(url, policy)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = list(resolve(host, port))
    except OSError:
        raise _refuse(
            f"url: the host {host[:100]!r} does not resolve", "接收地址的主机名无法解析"
        ) from None
    if not answers:
        raise _refuse(f"url: the host {host[:100]!r} does not resolve", "接收地址的主机名无法解析")
    addresses = []
    for answer in answers:
        try:
            address = ipaddress.ip_address(answer.split("%", 1)[0])
        except ValueError:
            raise _refuse("url resolves to an unusable address", "接收地址解析结果无效") from None
        reason = refusal_of(address, policy)
        if reason is not None:
            raise _refuse(f"url resolves to {address}, which is not a public address", reason)
        addresses.append(address)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(addresses[0]))
