"""StreamField blocks for article bodies; each renders with its own template in templates/blocks/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("图片"))
    caption = blocks.CharBlock(required=False, max_length=200, label=_("说明文字"))

    class Meta:
        icon = "image"
        label = _("带说明的图片")
        template = "blocks/captioned_image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    attribution = blocks.CharBlock(required=False, max_length=100, label=_("出处"))

    class Meta:
        icon = "openquote"
        label = _("引文")
        template = "blocks/quote.html"


class MediaEmbedBlock(blocks.StructBlock):
    """A video or audio clip: either a link to a hosting service or an uploaded file."""

    kind = blocks.ChoiceBlock(
        choices=[("video", _("视频")), ("audio", _("音频"))], default="video", label=_("类型")
    )
    embed = EmbedBlock(required=False, label=_("链接（嵌入）"))
    file = DocumentChooserBlock(required=False, label=_("上传文件"))
    caption = blocks.CharBlock(required=False, max_length=200, label=_("说明文字"))

    class Meta:
        icon = "media"
        label = _("视频或音频")
        template = "blocks/media.html"

    def clean(self, value):
        cleaned = super().clean(value)
        if not cleaned.get("embed") and not cleaned.get("file"):
            raise blocks.StructBlockValidationError(
                block_errors={"embed": blocks.BlockValidationError(_("请填写链接或选择文件。"))}
            )
        return cleaned


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"],
        label=_("段落"),
        template="blocks/paragraph.html",
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    media = MediaEmbedBlock()

    class Meta:
        block_counts = {}
