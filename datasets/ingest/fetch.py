"""Fetching a linked file without becoming a proxy into the city's network (SSRF).

- Only http and https.
- The host name is resolved once per hop and every address is checked; we then connect
  to the checked address itself (TLS still verifies the host name), so a DNS answer that
  changes between check and connect (rebinding) cannot reach an internal address.
- Loopback, private, link-local (incl. cloud metadata 169.254.169.254), multicast,
  reserved and unspecified addresses are refused, also when written as IPv4-mapped IPv6
  (`[::ffff:127.0.0.1]`) or as a bare integer (`2130706433`).
- Redirects are followed by hand, each hop checked the same way, at most a few.
- A byte cap counts what actually arrives (a lying Content-Length changes nothing) and a
  deadline covers the whole download, not just each read. We ask for no compression; a
  gzip file is stored compressed and unpacked later under the same byte cap.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.utils.translation import gettext_lazy as _

from datasets.ingest import conf
from datasets.ingest.errors import IngestError, Text, TooLarge

USER_AGENT = "civic-portal-ingest/1.0"


class FetchRefused(IngestError):
    def __init__(self, message):
        super().__init__(message, code="scheme-error")


@dataclass
class FetchResult:
    path: Path
    name: str
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return _is_public(mapped)
        if ip.teredo:
            return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
    )


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
    allowed = {(a, int(p)) for a, p in conf.get("FETCH_ALLOWED_ADDRESSES")}
    return (str(ip), port) in allowed or _is_public(ip)


def resolve_public(host: str, port: int) -> str:
    """One address of `host` that we may connect to; refuses if any address is internal
    (a name that resolves to both is an attack, not a coincidence)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise IngestError(
            Text(_("The server name '%(host)s' could not be found."), host=host),
            code="source-error",
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses or not all(_address_allowed(a, port) for a in addresses):
        raise FetchRefused(
            Text(
                _("Links to internal or private network addresses are not allowed (%(host)s)."),
                host=host,
            )
        )
    return str(addresses[0])


def link_refused(url: str) -> str:
    """Why the worker would refuse this link on its face, in the active language, or ""
    when it may try: the scheme, and a host written as an internal address (an IP
    literal in any spelling, localhost). Names are not resolved here: the worker still
    checks every address it connects to (`resolve_public`), this only answers early."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return str(_("Only http and https links can be fetched."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return str(_("The link has no server name."))
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return ""  # the form's own URL check names a bad port
    if host == "localhost" or host.endswith(".localhost"):
        addresses = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
        internal = not any(_address_allowed(a, port) for a in addresses)
    else:
        address = _literal_address(host)
        internal = address is not None and not _address_allowed(address, port)
    if internal:
        message = _("Links to internal or private network addresses are not allowed (%(host)s).")
        return str(message) % {"host": parts.hostname}
    return ""


def _literal_address(host: str):
    """The address a host written as one stands for: 10.0.0.1, [::1], and the spellings
    the C library also accepts (127.1, 0x7f.0.0.1, 2130706433); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _problem(error: Exception):
    """What went wrong on the connection, in the publisher's words where we know them (a
    library's own text otherwise)."""
    if isinstance(error, ssl.SSLCertVerificationError):
        return _("the server's security certificate is not valid for this address")
    if isinstance(error, ssl.SSLError):
        return _("no secure (https) connection could be made with the server")
    if isinstance(error, ConnectionRefusedError):
        return _("the server refused the connection")
    if isinstance(error, TimeoutError):
        return _("the server did not answer in time")
    if isinstance(error, ConnectionResetError | BrokenPipeError | http.client.RemoteDisconnected):
        return _("the server closed the connection")
    if isinstance(error, http.client.IncompleteRead):
        return _("the server sent less than it announced")
    return str(error) or type(error).__name__


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to a checked address while TLS verifies the original host name."""

    def __init__(self, address: str, hostname: str, port: int, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._hostname = hostname

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._hostname)


def _open(url: str, headers: dict, deadline: float):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(_("Only http and https links can be fetched."))
    if not parts.hostname:
        raise FetchRefused(_("The link has no server name."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_public(parts.hostname, port)
    timeout = max(1.0, deadline - time.monotonic())
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(address, parts.hostname, port, timeout)
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        connection.request("GET", path, headers={**headers, "Host": host_header})
        return connection, connection.getresponse()
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise IngestError(
            Text(_("The link could not be fetched: %(error)s."), error=_problem(exc)),
            code="source-error",
        ) from None


def fetch_to_file(
    url: str, target: Path, *, etag: str = "", last_modified: str = ""
) -> FetchResult:
    limit = conf.get("MAX_BYTES")
    deadline = time.monotonic() + conf.get("FETCH_TIMEOUT")
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(conf.get("FETCH_MAX_REDIRECTS") + 1):
        connection, response = _open(url, headers, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise IngestError(_("The link redirects nowhere."), code="source-error")
                url = urljoin(url, location)
                continue
            if response.status == 304:
                return FetchResult(target, "", etag, last_modified, not_modified=True)
            if response.status != 200:
                raise IngestError(
                    Text(
                        _("The server answered %(status)s %(reason)s for the link."),
                        status=response.status,
                        reason=response.reason,
                    ),
                    code="source-error",
                )
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise TooLarge(limit)
            _download(response, target, limit, deadline)
            name = PurePosixPath(unquote(urlsplit(url).path)).name or "download"
            return FetchResult(
                target,
                name,
                etag=response.getheader("ETag") or "",
                last_modified=response.getheader("Last-Modified") or "",
            )
        finally:
            connection.close()
    raise IngestError(_("The link redirects too many times."), code="source-error")


def _download(response, target: Path, limit: int, deadline: float) -> None:
    received = 0
    with open(target, "wb") as out:
        while True:
            if time.monotonic() > deadline:
                raise IngestError(
                    Text(
                        _("Downloading the link took longer than %(s)s seconds."),
                        s=conf.get("FETCH_TIMEOUT"),
                    ),
                    code="source-error",
                )
            try:
                chunk = response.read1(1 << 16)
            except (OSError, http.client.HTTPException) as exc:
                raise _broke_off(_problem(exc)) from None
            if not chunk:
                if response.length:  # the connection ended before the announced length
                    raise _broke_off(_("the server sent less than it announced"))
                return
            received += len(chunk)
            if received > limit:
                raise TooLarge(limit)
            out.write(chunk)


def _broke_off(reason) -> IngestError:
    return IngestError(
        Text(_("The download broke off: %(error)s."), error=reason), code="source-error"
    )
