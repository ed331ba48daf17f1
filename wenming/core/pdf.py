"""Whether this server can render PDF (printable forms, inspection reports, certificates):
WeasyPrint needs Debian's pango and a CJK font (fonts-noto-cjk). Pages that print offer the
web or Word version when it cannot."""

from pathlib import Path

CJK_FONT_DIR = Path("/usr/share/fonts/opentype/noto")


def pdf_available():
    try:
        import weasyprint  # noqa: F401  (loads pango at import)
    except OSError:
        return False
    return any(CJK_FONT_DIR.glob("NotoSansCJK*")) or any(CJK_FONT_DIR.glob("NotoSerifCJK*"))
