"""Generated photos for the demo: small JPEGs drawn with Pillow (a scene and a caption), fed
through the real upload pipeline by each app's demo. Nothing is copied from anywhere."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from wenming.core.fonts import cjk_font

SCENES = ("building", "litter", "clean", "site")


def picture(caption, rng, scene="building", size=(480, 360)):
    """A picture of `scene` with `caption` on a band at the bottom: "building" (blocks of
    flats), "litter" (a lawn with rubbish, a problem photo), "clean" (the same lawn tidied,
    rectification evidence), "site" (an expert's view of a courtyard)."""
    w, h = size
    img = Image.new("RGB", size)
    draw = ImageDraw.Draw(img)
    sky, ground = (rng.randint(110, 150), rng.randint(170, 205), 235), (rng.randint(70, 110), 150, 80)
    horizon = h // 2 if scene in ("litter", "clean") else h * 3 // 4
    for y in range(h):
        t = y / h
        colour = sky if y < horizon else ground
        draw.line([(0, y), (w, y)], fill=tuple(max(0, int(c - 25 * t)) for c in colour))
    if scene in ("building", "site"):
        for i in range(rng.randint(3, 5)):
            x = 20 + i * (w - 40) // 5
            bh = rng.randint(h // 4, h // 2)
            draw.rectangle((x, horizon - bh, x + w // 7, horizon), fill=(230, 225, 215), outline=(150, 140, 130))
            for wy in range(horizon - bh + 10, horizon - 10, 22):
                draw.rectangle((x + 8, wy, x + w // 7 - 8, wy + 9), fill=(150, 190, 220))
        if scene == "site":
            draw.ellipse((w - 110, 30, w - 50, 90), fill=(250, 215, 90))
    else:
        draw.rectangle((w // 8, horizon + 30, w // 8 + 60, horizon + 110), fill=(40, 120, 70))  # a bin
        if scene == "litter":
            for _ in range(14):
                x, y = rng.randint(20, w - 30), rng.randint(horizon + 10, h - 80)
                draw.rectangle((x, y, x + rng.randint(6, 18), y + rng.randint(4, 10)),
                               fill=rng.choice([(240, 240, 240), (200, 60, 50), (90, 90, 90)]))
            draw.ellipse((w // 2 - 60, horizon + 20, w // 2 + 60, horizon + 80), outline=(220, 30, 30), width=4)
        else:
            draw.line((w // 2 - 30, horizon + 60, w // 2, horizon + 90, w // 2 + 60, horizon + 20),
                      fill=(255, 255, 255), width=8)  # a tick: tidied
    draw.rectangle((0, h - 60, w, h), fill=(179, 38, 30))
    draw.text((w // 2, h - 30), caption, font=cjk_font(26), fill=(255, 255, 255), anchor="mm")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82)
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")
