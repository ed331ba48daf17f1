"""The CJK fonts the server draws and prints with (Debian's fonts-noto-cjk)."""

from PIL import ImageFont

from wenming.core.pdf import CJK_FONT_DIR


def cjk_font(size, *, bold=False):
    """Noto Sans CJK at `size` for Pillow drawings (QR posters, demo photos); Pillow's own
    font when the server has none."""
    for name in (["NotoSansCJK-Bold.ttc"] if bold else []) + ["NotoSansCJK-Regular.ttc"]:
        try:
            return ImageFont.truetype(str(CJK_FONT_DIR / name), size)
        except OSError:
            continue
    return ImageFont.load_default(size)
