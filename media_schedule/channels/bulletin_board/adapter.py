"""The ``bulletin_board`` outlet (宣传栏): a print-ready poster at the board's exact size.

Nothing is sent: the poster is downloaded, printed and posted, and at the due time the
placement waits for an editor to record a photo of the posted board as the evidence.
"""

import base64
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from media_schedule.channels.base import Channel, DeliveryMode, OutletFile, VersionProblem
from media_schedule.models import Outlet

from . import version as versions
from .board import Board, InvalidBoard
from .forms import BulletinBoardConfigForm
from .render import poster_pdf, poster_png
from .typesetting import FontMissingError

PREVIEW_WIDTH = 800
PREVIEW_HEIGHT = 600
# The PNG offered for download: enough to check the poster on screen or send it round for
# sign-off; the PDF is what goes to the printer.
PROOF_SIDE = 2400


class BulletinBoardChannel(Channel):
    """Adapter for bulletin boards: builds the poster, checks it against each board's size
    and legibility limits, previews it and makes the PDF to print and a PNG proof."""

    kind = "bulletin_board"
    delivery_mode = DeliveryMode.MANUAL
    config_form_class = BulletinBoardConfigForm
    # Printing and posting takes days; the photo is expected within a week.
    default_confirm_within_hours = 168
    evidence_hint = gettext_lazy(
        "上传张贴后的宣传栏照片：须拍清海报全貌和所在宣传栏，最好带拍摄时间和地点水印"
        "（或同时拍入路牌、门牌等能看出地点的景物）。"
    )

    def build_version(self, page) -> dict[str, Any]:
        """Title, a few short paragraphs, the cover picture and the red band's texts."""
        return versions.build(page)

    def validate(self, version: dict[str, Any], page=None, outlet=None) -> list[VersionProblem]:
        """Problems of the poster on the boards it may go to.

        For one outlet, that board; otherwise every active bulletin board (each problem
        naming its outlet), or the common 2250 × 1050 mm board when none is registered.
        """
        picture = versions.load_picture(version)
        problems = versions.content_problems(version, picture)
        # Boards of one size share their problems: lay the poster out once per size.
        by_size: dict[tuple[float, float], list[VersionProblem]] = {}
        for name, board in self._boards(outlet, problems):
            size = (board.width_mm, board.height_mm)
            if size not in by_size:
                by_size[size] = versions.board_problems(version, board, picture)
            for problem in by_size[size]:
                if name:
                    problem = VersionProblem(
                        problem.field,
                        _("%(outlet)s：%(problem)s") % {"outlet": name, "problem": problem.message},
                        problem.severity,
                    )
                problems.append(problem)
        return problems

    def outlet_problems(self, outlet) -> list[VersionProblem]:
        """A stopped outlet, or one whose board size is not usable, cannot print anything."""
        problems = super().outlet_problems(outlet)
        try:
            Board.from_config(outlet.config)
        except InvalidBoard as error:
            problems.append(
                VersionProblem("outlet", _("宣传栏尺寸设置有误：%(error)s") % {"error": error})
            )
        return problems

    def preview(self, version: dict[str, Any], *, outlet=None, page=None) -> str:
        """The poster as a thumbnail (a PNG in a data URI) with the board it is for."""
        board, note = _board(outlet)
        picture = versions.load_picture(version)
        try:
            laid_out = versions.poster(version, board, picture)
            thumbnail = poster_png(laid_out, max_width=PREVIEW_WIDTH, max_height=PREVIEW_HEIGHT)
        except FontMissingError as error:
            return format_html('<p class="help-block help-critical">{}</p>', str(error))
        notes = [note] if note else []
        if any(not fit.fits for fit in laid_out.fits.values()):
            notes.append(_("有文字超出版面，预览中已截断（以省略号标出），请按校验提示删减。"))
        title = versions.content(version).title
        return format_html(
            '<figure class="bulletin-board-poster">'
            '<img src="data:image/png;base64,{}" alt="{}" style="max-width: 100%; height: auto;'
            ' border: 1px solid #ccc">'
            "<figcaption>{}</figcaption>{}</figure>",
            base64.b64encode(thumbnail).decode("ascii"),
            _("宣传栏海报预览：%(title)s") % {"title": title},
            _("宣传栏 · %(board)s") % {"board": board.describe()},
            format_html_join(
                "", '<p class="help-block help-warning">{}</p>', ((text,) for text in notes)
            ),
        )

    def files(self, version: dict[str, Any], *, outlet=None, page=None) -> list[OutletFile]:
        """The PDF to print at the board's size and a PNG proof; none while the version has
        errors on that board (a poster with cut-off text must not reach the printer). Without
        an outlet, the files are for the common 2250 × 1050 mm board."""
        board, _note = _board(outlet)
        if outlet is not None:
            problems = self.validate(version, page=page, outlet=outlet)
        else:
            picture = versions.load_picture(version)
            problems = versions.content_problems(version, picture)
            problems += versions.board_problems(version, board, picture)
        if any(problem.blocking for problem in problems):
            return []
        stem = f"bulletin-board-poster-{page.pk if page is not None else 'draft'}"
        size = f"{board.width_mm:g}x{board.height_mm:g}mm"
        title = versions.content(version).title

        def laid_out():
            return versions.poster(version, board, versions.load_picture(version))

        return [
            OutletFile(
                name=f"{stem}-{size}.pdf",
                label=_("印刷用海报 PDF（%(w)s × %(h)s 毫米）")
                % {"w": f"{board.width_mm:g}", "h": f"{board.height_mm:g}"},
                content_type="application/pdf",
                render=lambda: poster_pdf(laid_out(), title=title),
            ),
            OutletFile(
                name=f"{stem}-{size}.png",
                label=_("海报校样 PNG"),
                content_type="image/png",
                render=lambda: poster_png(laid_out(), max_width=PROOF_SIDE, max_height=PROOF_SIDE),
            ),
        ]

    def _boards(self, outlet, problems: list[VersionProblem]) -> list[tuple[str, Board]]:
        """(outlet name or "", board) pairs to check; a misconfigured outlet adds a problem."""
        if outlet is not None:
            outlets, named = [outlet], False
        else:
            outlets = list(Outlet.objects.filter(kind=Outlet.Kind.BULLETIN_BOARD, is_active=True))
            named = True
            if not outlets:
                return [("", Board())]
        boards = []
        for each in outlets:
            try:
                boards.append((each.name if named else "", Board.from_config(each.config)))
            except InvalidBoard as error:
                problems.append(
                    VersionProblem(
                        "outlet",
                        _("%(outlet)s：宣传栏尺寸设置有误：%(error)s")
                        % {"outlet": each.name, "error": error},
                    )
                )
        return boards


def _board(outlet) -> tuple[Board, str]:
    """The outlet's board, or the common board with a note when there is no usable one."""
    if outlet is None:
        return Board(), _("未指定宣传栏，按常见的 2250 × 1050 毫米版面预览。")
    try:
        return Board.from_config(outlet.config), ""
    except InvalidBoard as error:
        return Board(), _("宣传栏尺寸设置有误（%(error)s），按 2250 × 1050 毫米版面预览。") % {
            "error": error
        }
