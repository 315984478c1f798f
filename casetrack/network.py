"""The addresses a phone on the office network uses to reach this computer (局域网地址), from the standard library."""

import ipaddress
import socket

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
ALL_INTERFACES = {"0.0.0.0", "::", ""}


def lan_addresses() -> list[str]:
    """Return this computer's IPv4 addresses on its networks, the one of the default route first; no loopback.

    Connecting a UDP socket sends nothing: it only asks the system which address it would send from.
    """
    found: list[str] = []
    for probe in ("192.0.2.1", "10.255.255.255"):  # TEST-NET-1 and a private address: any route will do
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.connect((probe, 9))
                found.append(udp.getsockname()[0])
        except OSError:
            pass
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    usable = []
    for address in found:
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_unspecified or ip.is_link_local) and address not in usable:
            usable.append(address)
    return usable


def phone_urls(host: str, port: int) -> list[str]:
    """Return the URLs phones can open for a server bound to host:port (none when it listens on this computer only)."""
    if host in LOOPBACK_HOSTS:
        return []
    if host in ALL_INTERFACES:
        return [f"http://{address}:{port}/" for address in lan_addresses()]
    return [f"http://{host}:{port}/"]


def describe(host: str, port: int) -> list[str]:
    """Return the lines a start prints: where to open it here, and from phones on the office network."""
    lines = [f"本机打开:http://127.0.0.1:{port}/" if host in LOOPBACK_HOSTS | ALL_INTERFACES
             else f"本机打开:http://{host}:{port}/"]
    urls = phone_urls(host, port)
    if urls:
        lines += [f"手机(同一局域网/WiFi)打开:{url}" for url in urls]
        lines.append("  登录后在“手机访问”页(/help/phone)扫二维码即可。如打不开,请在防火墙中允许此端口。")
    elif host in ALL_INTERFACES:
        lines.append("没有找到本机的局域网地址:请先连上办公室的网络。")
    else:
        lines.append("只在本机可用。让村调解员的手机也能访问:make run HOST=0.0.0.0(Windows:run.bat 0.0.0.0)。")
    return lines
