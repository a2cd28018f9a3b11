"""WeasyPrint for the print-ready PDFs, without its side effect on Pillow.

Importing WeasyPrint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``, after
which a truncated upload decodes silently instead of being refused (LED pictures, evidence
files). Every kind that makes PDFs imports WeasyPrint from here, which puts the flag back.
"""

from PIL import ImageFile

_LOAD_TRUNCATED = ImageFile.LOAD_TRUNCATED_IMAGES
import weasyprint  # noqa: E402 (the flag is read before, and restored after, this import)
import weasyprint.urls  # noqa: E402

ImageFile.LOAD_TRUNCATED_IMAGES = _LOAD_TRUNCATED

HTML = weasyprint.HTML
CSS = weasyprint.CSS

__all__ = ["CSS", "HTML", "weasyprint"]
