"""Help pages: /help/phone shows the address village mediators open on their phones, as a QR code."""

import segno
from flask import Blueprint, current_app, render_template, request
from flask_login import login_required
from markupsafe import Markup

from casetrack.network import ALL_INTERFACES, LOOPBACK_HOSTS, lan_addresses

bp = Blueprint("help", __name__, url_prefix="/help")


def qr_svg(url: str) -> Markup:
    """Return a QR code of a URL as inline SVG, drawn here (segno): nothing is loaded from outside."""
    return Markup(segno.make(url, error="m").svg_inline(scale=6, border=2, title=url, omitsize=True))


def _phone_urls() -> tuple[list[str], bool]:
    """Return the addresses phones can open, and whether the server listens on this computer only."""
    host = request.host.rsplit(":", 1)[0].strip("[]")
    if host not in LOOPBACK_HOSTS:  # opened by an address others can use already (a LAN address, a proxy's name)
        return [request.host_url], False
    port = request.host.rsplit(":", 1)[1] if ":" in request.host else ("443" if request.is_secure else "80")
    bound = str(current_app.config.get("SERVE_HOST", ""))
    local_only = bound in LOOPBACK_HOSTS
    if bound and bound not in LOOPBACK_HOSTS | ALL_INTERFACES:
        return [f"http://{bound}:{port}/"], False
    return [f"http://{address}:{port}/" for address in lan_addresses()], local_only


@bp.route("/phone")
@login_required
def phone():
    """Show the address (and its QR code) a mediator's phone on the office network opens."""
    urls, local_only = _phone_urls()
    return render_template("help/phone.html", codes=[(url, qr_svg(url)) for url in urls], local_only=local_only)
