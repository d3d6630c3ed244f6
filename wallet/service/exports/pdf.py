"""The printable CV: an HTML template rendered to PDF by WeasyPrint (needs Debian's pango).

Each item shows its title, issuer, dates, proof strength and a QR code of its live share link;
the QR is also a link annotation to the same URL, so a PDF reader can follow it."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime

import qrcode
import qrcode.constants
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.i18n import local_date
from wallet.i18n import translator
from wallet.pages import TEMPLATES
from wallet.service.exports.items import ExportItem, Strength

_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def qr_png(data: str) -> bytes:
    """The share link's QR code as a PNG (a PDF image a reader or a test can decode)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=8)
    code.add_data(data)
    out = io.BytesIO()
    code.make_image().save(out)
    return out.getvalue()


def _qr_data_uri(data: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(data)).decode()


def strength_label(strength: Strength, lang: str) -> str:
    _ = translator(lang)
    return {
        "issued": _("Issued by its issuer"),
        "endorsed": _("Endorsed"),
        "self_declared": _("Self-declared"),
    }[strength]


def cv_html(items: Sequence[ExportItem], lang: str, holder: str | None) -> str:
    """The CV as a standalone HTML document (what WeasyPrint prints)."""

    def ldate(when: datetime | None) -> str:
        return local_date(when, lang) if when else ""

    return _ENV.get_template("exports/cv.html").render(
        _=translator(lang),
        lang=lang,
        holder=holder,
        items=items,
        ldate=ldate,
        colon="\u00a0:" if lang == "fr" else ":",
        strength=lambda s: strength_label(s, lang),
        qr=_qr_data_uri,
    )


def weasyprint_available() -> bool:
    """WeasyPrint imports only where pango is installed (apt-get install libpango-1.0-0
    libpangoft2-1.0-0)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def render_pdf(items: Sequence[ExportItem], lang: str, holder: str | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # badge texts come from issuers: escaped by the template, and nothing is ever fetched
    # (the only resources are the QR codes' data: URIs) — no file://, no request to a network
    fetcher = URLFetcher(allowed_protocols=["data"])
    pdf = HTML(string=cv_html(items, lang, holder), url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)
