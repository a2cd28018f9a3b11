"""The print-ready copy as an A4 PDF, set in Noto CJK by WeasyPrint (fonts embedded as
subsets, so the file reads the same on any machine)."""

from ..printing import HTML, weasyprint
from . import fonts
from .layout import PrintCopy, render

PICTURE_PIXELS = 1600


def render_pdf(copy: PrintCopy) -> bytes:
    """The copy laid out as a newspaper article on A4: dateline, headings, picture, body in
    three columns. Raises :class:`fonts.PrintFontMissingError` rather than print boxes when
    the CJK faces are not installed."""
    fonts.require_fonts()
    picture = copy.picture(PICTURE_PIXELS)
    markup = render(
        "newspaper/print.html",
        copy,
        picture=picture,
        picture_src=picture.data_uri if picture else "",
    )
    # The picture travels inside the page as a data: URI; nothing else may be fetched, so no
    # text in the copy can make the renderer read a file or call a server.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return HTML(string=markup, url_fetcher=fetcher).write_pdf()
