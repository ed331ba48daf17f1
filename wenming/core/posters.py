"""Printable QR posters (a candidate's vote page, a community's survey or complaint link): one
layout, in the campaign's red, in the server's CJK font (core.fonts)."""

import io

import qrcode
from PIL import Image, ImageDraw

from wenming.core.fonts import cjk_font

RED, INK, GREY = (179, 38, 30), (31, 35, 40), (107, 114, 128)


def qr_poster(url, *, theme, kicker, title, subtitle, call, organiser):
    """A 750×1100 PNG: theme, a kicker line, the title, a grey subtitle, the QR code of `url`,
    the call to action and the organiser."""
    width, height = 750, 1100
    poster = Image.new("RGB", (width, height), RED)
    draw = ImageDraw.Draw(poster)
    draw.rectangle((30, 30, width - 30, height - 30), fill=(255, 255, 255))
    draw.text((width // 2, 110), theme, font=cjk_font(34, bold=True), fill=RED, anchor="mm")
    draw.text((width // 2, 200), kicker, font=cjk_font(44, bold=True), fill=INK, anchor="mm")
    draw.text((width // 2, 290), title[:16], font=cjk_font(50, bold=True), fill=INK, anchor="mm")
    draw.text((width // 2, 360), subtitle[:26], font=cjk_font(26, bold=True), fill=GREY, anchor="mm")
    code = qrcode.QRCode(border=2, box_size=12, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    qr = code.make_image(fill_color="black", back_color="white").convert("RGB").resize((440, 440))
    poster.paste(qr, ((width - 440) // 2, 420))
    draw.text((width // 2, 910), call, font=cjk_font(32, bold=True), fill=INK, anchor="mm")
    draw.text((width // 2, 970), organiser, font=cjk_font(24, bold=True), fill=GREY, anchor="mm")
    out = io.BytesIO()
    poster.save(out, "PNG", optimize=True)
    return out.getvalue()
