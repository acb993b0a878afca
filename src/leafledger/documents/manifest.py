"""The transfer manifest, as a PDF (fpdf2) and as an HTML page, from one read model
(domain/queries/manifests.py `Manifest`); neither renderer queries.

Both show the same things: the manifest number and the transfer's standing; the shipper (name,
licence, the address the ledger knows); each destination with its transfer type, invoice,
planned route, estimated and actual times, its transporters (facility, layover, phone, times)
with their drivers (name, employee id, driver's licence) and vehicles (make, model, plate);
and every package (label, item, quantity and unit as shipped, lab testing state, what was
received) beside its QR code. A package's QR code holds its label, the key every system of
record reads it by (segno, error correction M, as the Retail ID codes).

The PDF is US Letter, one header and a "page x of y" footer on every page; a package table
runs on over as many pages as it needs, its header repeated. Its text is drawn in the PDF's
built-in Helvetica, which holds Latin-1 only: another character is printed as its closest
Latin-1 letter when it has one (accents dropped), else as "?" (the HTML manifest has the
text as it is). QR codes are drawn as vector rectangles (no images), so they print sharp at
any size.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

import segno
from fpdf import FPDF

from leafledger.domain.models.transfer import EXTERNAL, LICENSED
from leafledger.domain.queries.manifests import Manifest, ManifestLeg, ManifestPackage, ManifestStop

PDF_TYPE = "application/pdf"
QR_MASK = 0
HTML_TYPE = "text/html; charset=utf-8"


def qr_code(label: str) -> segno.QRCode:
    """A package's QR code: its label (never a Micro QR code: phones do not read those).

    The mask pattern is fixed (QR_MASK): choosing the best of the eight, as segno does by
    default, costs most of the time of a 100-package manifest, and every mask is valid and
    reads with any scanner; the choice only evens out the light and dark areas."""
    return segno.make_qr(label, error="m", mask=QR_MASK)


# --- words shared by both renderings ---------------------------------------------------------


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def standing(manifest: Manifest) -> str:
    """The transfer's standing, in words."""
    kind = {LICENSED: "Licensed transfer", EXTERNAL: "External incoming transfer"}.get(
        manifest.kind, manifest.kind
    )
    if manifest.voided_at is not None:
        return f"{kind}, VOIDED {when(manifest.voided_at)}"
    if manifest.stops and all(stop.received_at is not None for stop in manifest.stops):
        return f"{kind}, received"
    if manifest.departed_at is not None:
        return f"{kind}, departed {when(manifest.departed_at)}"
    return f"{kind}, registered (not departed)"


def received(package: ManifestPackage) -> str:
    """What became of a package on arrival."""
    if package.state == "Accepted":
        text = f"Accepted {amount(package.received_quantity)} {package.received_unit or ''}"
        if package.shortage:
            text += f" (short {amount(package.shortage)})"
        return text.strip()
    if package.state == "Rejected":
        return "Rejected" + (f": {package.rejection_reason}" if package.rejection_reason else "")
    return "In transit" if package.state == "Shipped" else (package.state or "")


def leg_title(leg: ManifestLeg, number: int) -> str:
    hub = ", layover (hub)" if leg.is_layover else ""
    return f"Leg {number}: {leg.transporter_name} ({leg.transporter_license_number}){hub}"


def _leg_facts(leg: ManifestLeg) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, value in (
            ("Phone", leg.phone_number or ""),
            ("Est. departure", when(leg.estimated_departure_at)),
            ("Est. arrival", when(leg.estimated_arrival_at)),
        )
        if value
    ]


def stop_facts(stop: ManifestStop) -> list[tuple[str, str]]:
    gross = f"{amount(stop.gross_weight)} {stop.gross_unit or ''}".strip()
    return [
        ("Transfer type", stop.transfer_type),
        ("Invoice number", stop.invoice_number or ""),
        ("Est. departure", when(stop.estimated_departure_at)),
        ("Est. arrival", when(stop.estimated_arrival_at)),
        ("Departed", when(stop.departed_at)),
        ("Received", when(stop.received_at)),
        ("Gross weight", gross),
    ]


def shipper_lines(manifest: Manifest) -> list[str]:
    lines = [manifest.shipper_name, f"Licence {manifest.shipper_license_number}"]
    lines += list(manifest.shipper_address)
    if manifest.shipper_phone:
        lines.append(f"Phone {manifest.shipper_phone}")
    return lines


def summary_lines(manifest: Manifest) -> list[str]:
    lines = [f"Created {when(manifest.created_at)}"]
    if manifest.created_by:
        lines[0] += f" by {manifest.created_by}"
    if manifest.template_id is not None:
        lines.append(f"From template {manifest.template_id}")
    lines.append(f"{len(manifest.stops)} destination(s), {len(manifest.packages)} package(s)")
    return lines


# --- PDF --------------------------------------------------------------------------------------

_MARGIN = 12.0
_ROW = 17.0  # height of a package row (mm)
_QR = 16.0  # side of a QR code, quiet zone included (mm)
_QR_BORDER = 2  # modules of quiet zone (the cell's white around it adds to it)
# Package table columns: (title, width in mm); the widths fill the 191.9 mm between margins.
_COLUMNS = (
    ("QR code", 18.0),
    ("#", 8.0),
    ("Package label", 50.0),
    ("Item", 44.0),
    ("Quantity", 19.0),
    ("Lab testing", 25.0),
    ("Received", 27.9),
)


# Characters outside Latin-1 that have a plain spelling in it (beyond dropping an accent).
_PLAIN = str.maketrans(
    {
        "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE",
        "\u0153": "oe", "\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
        "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2192": "->",
    }
)  # fmt: skip


def latin(text: object) -> str:
    """Text the PDF's built-in fonts can draw (Latin-1), accents dropped where needed."""
    value = str(text).translate(_PLAIN)
    try:
        value.encode("latin-1")
        return value
    except UnicodeEncodeError:
        pass
    out = []
    for char in value:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


class _Document(FPDF):
    def __init__(self, manifest: Manifest) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.manifest = manifest
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=16)
        number = manifest.manifest_number or str(manifest.transfer_id)
        self.number = number
        self.set_title(f"Transfer manifest {number}")
        self.set_creator("leafledger")
        self.set_author(latin(manifest.shipper_name))
        self.set_subject(f"Manifest {number} of {latin(manifest.shipper_license_number)}")

    # Every page: the title and number on top, page x of y below.
    def header(self) -> None:
        self.set_font("helvetica", "B", 15)
        self.cell(0, 8, "Transfer Manifest")
        self.set_x(self.l_margin)
        self.set_font("helvetica", "B", 12)
        self.cell(0, 8, f"Manifest No. {self.number}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", "", 8)
        self.set_text_color(90)
        self.cell(
            0, 5, latin(f"{self.manifest.shipper_name} ({self.manifest.shipper_license_number})")
        )
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Manifest {self.number} - page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def fit(self, text: str, width: float) -> str:
        """`text`, cut with an ellipsis to fit `width` in the current font."""
        text = latin(text)
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "...") > width - 2:
            text = text[:-1]
        return text + "..."

    def room_for(self, height: float) -> bool:
        """Whether `height` more fits on this page; if not, a new page is started."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            return False
        return True

    def facts(self, pairs: Iterable[tuple[str, str]], columns: int = 2) -> None:
        """Label: value pairs, `columns` to a line, each in its column (an empty value leaves
        its place empty; a line of empty values is left out)."""
        pairs = list(pairs)
        column = self.width / columns
        for start in range(0, len(pairs), columns):
            line = pairs[start : start + columns]
            if not any(value for _, value in line):
                continue
            self.room_for(5)
            for name, value in line:
                if not value:
                    self.cell(column, 5, "")
                    continue
                self.set_font("helvetica", "B", 9)
                label = f"{name}: "
                label_width = self.get_string_width(label) + 1
                self.cell(label_width, 5, label)
                self.set_font("helvetica", "", 9)
                self.cell(column - label_width, 5, self.fit(value, column - label_width))
            self.ln(5)

    def bar(self, text: str) -> None:
        self.room_for(16)
        self.set_fill_color(225, 232, 225)
        self.set_font("helvetica", "B", 11)
        self.cell(0, 7, self.fit(text, self.width), fill=True, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def subtitle(self, text: str) -> None:
        self.room_for(12)
        self.ln(1)
        self.set_font("helvetica", "B", 10)
        self.cell(0, 5, self.fit(text, self.width), new_x="LMARGIN", new_y="NEXT")

    def qr(self, label: str, x: float, y: float, side: float) -> None:
        """The QR code of `label`, `side` wide at (x, y): one filled path of rectangles, a
        run of dark modules of a row each, written straight into the page's content (fpdf2's
        `rect` per module would cost most of a long manifest's time)."""
        matrix = qr_code(label).matrix
        count = len(matrix) + 2 * _QR_BORDER
        module = side / count
        k, height = self.k, self.h
        ops = []
        for row, bits in enumerate(matrix):
            top = y + (row + _QR_BORDER) * module
            start = None
            for col in range(len(bits) + 1):
                dark = col < len(bits) and bits[col] & 1
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    left = x + (start + _QR_BORDER) * module
                    # A hair wider than the run, so that runs touching seem one to a scanner.
                    width, tall = (col - start) * module + 0.02, module + 0.02
                    ops.append(
                        f"{left * k:.2f} {(height - top) * k:.2f} "
                        f"{width * k:.2f} {-tall * k:.2f} re"
                    )
                    start = None
        self.set_fill_color(0)
        self._out("\n".join(ops) + "\nf")

    def table_header(self) -> None:
        self.set_font("helvetica", "B", 8)
        self.set_fill_color(240)
        for title, width in _COLUMNS:
            self.cell(width, 6, title, border=1, fill=True)
        self.ln(6)

    def package_row(self, number: int, package: ManifestPackage) -> None:
        if not self.room_for(_ROW):
            self.table_header()
        x, y = self.get_x(), self.get_y()
        widths = [width for _, width in _COLUMNS]
        left = x
        for width in widths:
            self.rect(left, y, width, _ROW)
            left += width
        self.qr(package.label, x + (widths[0] - _QR) / 2, y + (_ROW - _QR) / 2, _QR)
        cells = (
            (str(number), "", "helvetica"),
            (package.label, "B", "courier"),
            (package.item_name or f"item {package.item_id}", "", "helvetica"),
            (f"{amount(package.quantity)} {package.unit}", "", "helvetica"),
            (package.lab_testing_state, "", "helvetica"),
            (received(package), "", "helvetica"),
        )
        left = x + widths[0]
        for (text, style, family), width in zip(cells, widths[1:], strict=True):
            size = 8.5 if family == "courier" else 8
            self.set_font(family, style, size)
            for number, line in enumerate(self.fit_lines(text, width, 4)):
                self.text(left + 1, y + 4.5 + number * 3.6, line)
            left += width
        self.set_xy(x, y + _ROW)

    def fit_lines(self, text: str, width: float, lines: int) -> list[str]:
        """`text` broken into at most `lines` lines of `width`, the last cut to fit."""
        words, out, line = latin(text).split(), [], ""
        for word in words:
            trial = f"{line} {word}".strip()
            if self.get_string_width(trial) <= width - 2:
                line = trial
                continue
            if line:
                out.append(line)
            line = word
            while self.get_string_width(line) > width - 2:  # a word longer than the cell
                cut = len(line)
                while cut > 1 and self.get_string_width(line[:cut]) > width - 2:
                    cut -= 1
                out.append(line[:cut])
                line = line[cut:]
        if line:
            out.append(line)
        if len(out) > lines:
            out = [*out[: lines - 1], self.fit(" ".join(out[lines - 1 :]), width)]
        return out

    def signatures(self, stop: ManifestStop) -> None:
        self.room_for(18)
        self.ln(4)
        self.set_font("helvetica", "", 8)
        third = self.width / 3
        titles = ("Released by (shipper)", "Driver", "Received by (recipient)")
        for _ in titles:
            self.cell(third - 4, 8, "", border="B")
            self.cell(4, 8, "")
        self.ln(8)
        for title in titles:
            self.cell(third, 4, self.fit(f"{title}: name, signature, date", third))
        self.ln(6)


def render_pdf(manifest: Manifest) -> bytes:
    """The manifest as a PDF document."""
    pdf = _Document(manifest)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 6, latin(standing(manifest)), new_x="LMARGIN", new_y="NEXT")
    top, half = pdf.get_y(), pdf.width / 2
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(half, 5, "Shipper", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    for line in shipper_lines(manifest):
        pdf.cell(half, 4.5, pdf.fit(line, half), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.set_font("helvetica", "B", 9)
    pdf.cell(half, 5, "Transfer", new_x="LEFT", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    for line in summary_lines(manifest):
        pdf.cell(half, 4.5, pdf.fit(line, half), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(bottom, pdf.get_y()) + 3)
    for index, stop in enumerate(manifest.stops, start=1):
        pdf.bar(
            f"Destination {index} of {len(manifest.stops)}: {stop.recipient_name} "
            f"({stop.recipient_license_number})"
        )
        pdf.facts(stop_facts(stop))
        if stop.planned_route:
            pdf.set_font("helvetica", "B", 9)
            pdf.cell(0, 5, "Planned route:", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", "", 9)
            pdf.multi_cell(0, 4.5, latin(stop.planned_route), new_x="LMARGIN", new_y="NEXT")
        pdf.subtitle("Transporters")
        for number, leg in enumerate(stop.legs, start=1):
            pdf.room_for(10)
            pdf.set_font("helvetica", "B", 9)
            pdf.cell(
                0, 5, pdf.fit(leg_title(leg, number), pdf.width), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.facts(_leg_facts(leg), columns=3)
            for driver in leg.drivers:
                pdf.room_for(9)
                pdf.set_font("helvetica", "", 8.5)
                layover = f" ({driver.layover_leg})" if driver.layover_leg else ""
                pdf.cell(
                    0,
                    4.5,
                    pdf.fit(
                        f"Driver: {driver.name}{layover} - employee id {driver.employee_id} - "
                        f"driver's licence {driver.drivers_license_number}",
                        pdf.width,
                    ),
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
                pdf.cell(
                    0,
                    4.5,
                    pdf.fit(
                        f"Vehicle: {driver.vehicle_make} {driver.vehicle_model} - "
                        f"plate {driver.license_plate_number}",
                        pdf.width,
                    ),
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
        pdf.subtitle(f"Packages ({len(stop.packages)})")
        pdf.table_header()
        for number, package in enumerate(stop.packages, start=1):
            pdf.package_row(number, package)
        pdf.signatures(stop)
        pdf.ln(3)
    return bytes(pdf.output())


# --- HTML -------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#111}"
    "h1{font-size:1.4em;display:flex;justify-content:space-between}"
    "h2{background:#e1e8e1;padding:.3em;font-size:1.1em}h3{font-size:1em;margin:.8em 0 .3em}"
    "dl{display:grid;grid-template-columns:max-content auto max-content auto;gap:.2em 1em}"
    "dt{font-weight:bold}dd{margin:0}table{border-collapse:collapse;width:100%}"
    "th,td{border:1px solid #999;padding:.3em;text-align:left;vertical-align:middle}"
    "th{background:#f0f0f0}td.label{font-family:monospace}td.qr svg{display:block}"
    ".columns{display:flex;gap:4em}@media print{h2{break-after:avoid}tr{break-inside:avoid}}"
)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _facts(pairs: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{_e(name)}</dt><dd>{_e(value)}</dd>" for name, value in pairs if value)
    return f"<dl>{items}</dl>" if items else ""


def _lines(lines: Iterable[str]) -> str:
    return "<br>".join(_e(line) for line in lines)


def _leg_html(leg: ManifestLeg, number: int) -> str:
    drivers = "".join(
        f"<tr><td>{_e(d.name)}</td><td>{_e(d.employee_id)}</td>"
        f"<td>{_e(d.drivers_license_number)}</td><td>{_e(d.vehicle_make)} {_e(d.vehicle_model)}"
        f"</td><td>{_e(d.license_plate_number)}</td><td>{_e(d.layover_leg or '')}</td></tr>"
        for d in leg.drivers
    )
    return (
        f"<h3>{_e(leg_title(leg, number))}</h3>{_facts(_leg_facts(leg))}"
        "<table><tr><th>Driver</th><th>Employee id</th><th>Driver's licence</th>"
        f"<th>Vehicle</th><th>Plate</th><th>Layover leg</th></tr>{drivers}</table>"
    )


def _package_html(number: int, package: ManifestPackage) -> str:
    code = qr_code(package.label).svg_inline(scale=2, border=_QR_BORDER)
    return (
        f"<tr><td class='qr'>{code}</td><td>{number}</td>"
        f"<td class='label'>{_e(package.label)}</td>"
        f"<td>{_e(package.item_name or f'item {package.item_id}')}</td>"
        f"<td>{_e(amount(package.quantity))}</td><td>{_e(package.unit)}</td>"
        f"<td>{_e(package.lab_testing_state)}</td><td>{_e(received(package))}</td></tr>"
    )


def _stop_html(stop: ManifestStop, index: int, count: int) -> str:
    route = f"<h3>Planned route</h3><p>{_e(stop.planned_route)}</p>" if stop.planned_route else ""
    legs = "".join(_leg_html(leg, number) for number, leg in enumerate(stop.legs, start=1))
    rows = "".join(_package_html(n, p) for n, p in enumerate(stop.packages, start=1))
    return (
        f"<section><h2>Destination {index} of {count}: {_e(stop.recipient_name)} "
        f"({_e(stop.recipient_license_number)})</h2>{_facts(stop_facts(stop))}{route}"
        f"<h3>Transporters</h3>{legs}<h3>Packages ({len(stop.packages)})</h3>"
        "<table><tr><th>QR code</th><th>#</th><th>Package label</th><th>Item</th>"
        "<th>Quantity</th><th>Unit</th><th>Lab testing</th><th>Received</th></tr>"
        f"{rows}</table></section>"
    )


def render_html(manifest: Manifest) -> str:
    """The manifest as an HTML page (every text escaped)."""
    number = _e(manifest.manifest_number or manifest.transfer_id)
    stops = "".join(
        _stop_html(stop, index, len(manifest.stops))
        for index, stop in enumerate(manifest.stops, start=1)
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Transfer manifest {number}</title><style>{_STYLE}</style></head><body>"
        f"<h1><span>Transfer Manifest</span><span>Manifest No. {number}</span></h1>"
        f"<p><strong>{_e(standing(manifest))}</strong></p><div class='columns'>"
        f"<div><h3>Shipper</h3><p>{_lines(shipper_lines(manifest))}</p></div>"
        f"<div><h3>Transfer</h3><p>{_lines(summary_lines(manifest))}</p></div></div>"
        f"{stops}</body></html>"
    )
