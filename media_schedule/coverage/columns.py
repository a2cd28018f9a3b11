"""The columns of the coverage matrix: the four media of the goal, outdoor split by kind."""

from django.utils.translation import gettext_lazy as _

from media_schedule.models import Medium, Outlet

TV = "tv"
RADIO = "radio"
NEWSPAPER = "newspaper"
ONLINE = "online"
SCREEN = "screen"
BOARD = "board"

COLUMNS = [
    (TV, _("电视有画面")),
    (RADIO, _("广播有声音")),
    (NEWSPAPER, _("报纸有文字")),
    (ONLINE, _("网络有信息")),
    (SCREEN, _("户外显示屏")),
    (BOARD, _("宣传栏")),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
LABELS = dict(COLUMNS)
# The four media of the goal, shown on the dashboard.
FOUR_MEDIA = [TV, RADIO, NEWSPAPER, ONLINE]
# Radio and TV carry airtime; screens count screen-days.
AIRTIME_COLUMNS = {TV, RADIO}

# What a target or a standard item names (a medium of the outlets) and the columns it covers.
MEDIUM_COLUMNS = {
    Medium.TV: [TV],
    Medium.RADIO: [RADIO],
    Medium.NEWSPAPER: [NEWSPAPER],
    Medium.ONLINE: [ONLINE],
    Medium.OUTDOOR: [SCREEN, BOARD],
}


def column_of(*, medium: str, kind: str) -> str:
    """The matrix column an outlet counts in: its medium, outdoor split into screens and the
    rest (boards and any other outdoor outlet)."""
    if medium == Medium.OUTDOOR:
        return SCREEN if kind == Outlet.Kind.LED_SCREEN else BOARD
    return medium


def rule_columns(medium: str) -> list[str]:
    """Columns for a rule's medium (a Medium value or a column key); all when empty."""
    if not medium:
        return list(COLUMN_KEYS)
    if medium in MEDIUM_COLUMNS:
        return MEDIUM_COLUMNS[medium]
    return [medium] if medium in LABELS else []
