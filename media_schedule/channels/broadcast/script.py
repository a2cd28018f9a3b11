"""Radio scripts (播音稿): an article's text as an announcer reads it, and its spoken length.

Picture captions, tables, embedded media and links' addresses are left out; numbers are
written the way they are read (3.5% → 百分之三点五, 1200 → 一千二百, 18:30 → 十八点三十分),
while dates such as 2026年11月29日 and years stay as they are, since announcers read those
from the figures.
"""

import math
import re
from html.parser import HTMLParser

DEFAULT_CHARS_PER_SECOND = 4.0
DIGITS = "零一二三四五六七八九"
SMALL_UNITS = ["", "十", "百", "千"]
BIG_UNITS = ["", "万", "亿", "万亿"]
# Characters an announcer does not voice: punctuation and spaces.
_SILENT = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〈〉【】—…·,.;:?!\"'()\[\]<>\-]")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:])")
_RANGE = re.compile(r"(?<![\d-])([1-9]\d{0,3})\s*[-—~～]\s*([1-9]\d{0,3})(?![\d-]|\s*[年月日号])")
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?![\d.])")
# Figures followed by 年/月/日/号 are dates and stay as figures.
_NUMBER = re.compile(r"(?<![\d.])(\d+)(?![\d.]|\s*[年月日号])")


def integer_words(number: int) -> str:
    """An integer in Chinese words (up to 10^16): 1200 → 一千二百, 10 → 十, 105 → 一百零五."""
    if number == 0:
        return DIGITS[0]
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    words = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(words)
            continue
        if words and (need_zero or group < 1000):
            words += DIGITS[0]
        words += _group_words(group) + BIG_UNITS[index]
        need_zero = False
    if words.startswith("一十"):
        words = words[1:]
    return words


def _group_words(group: int) -> str:
    words = ""
    zero = False
    for position in range(3, -1, -1):
        digit = group // 10**position % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words += DIGITS[0]
            zero = False
        words += DIGITS[digit] + SMALL_UNITS[position]
    return words


def digit_words(figures: str) -> str:
    """Figures read one by one (telephone numbers, long codes, decimals)."""
    return "".join(DIGITS[int(figure)] for figure in figures)


def number_words(text: str) -> str:
    """A number as figures (``3.5``, ``1200``) in words (三点五, 一千二百)."""
    whole, _dot, fraction = text.partition(".")
    words = integer_words(int(whole)) if len(whole) <= 12 else digit_words(whole)
    if fraction:
        words += "点" + digit_words(fraction)
    return words


def _integer(match: re.Match) -> str:
    figures = match.group(1)
    # Seven figures and more are codes or telephone numbers: read one by one.
    if len(figures) >= 7 or (len(figures) > 1 and figures.startswith("0")):
        return digit_words(figures)
    return integer_words(int(figures))


def spoken_numbers(text: str) -> str:
    """Numbers, percentages, times and ranges written as they are read aloud."""
    text = _PERCENT.sub(lambda m: "百分之" + number_words(m.group(1)), text)
    text = _TIME.sub(
        lambda m: (
            integer_words(int(m.group(1)))
            + "点"
            + (integer_words(int(m.group(2))) + "分" if int(m.group(2)) else "整")
        ),
        text,
    )
    text = _RANGE.sub(lambda m: f"{m.group(1)}至{m.group(2)}", text)
    text = _DECIMAL.sub(lambda m: number_words(f"{m.group(1)}.{m.group(2)}"), text)
    return _NUMBER.sub(_integer, text)


class _TextOnly(HTMLParser):
    """Rich text to paragraphs of plain text, leaving tables, figures and media out."""

    SKIP = {"table", "figure", "figcaption", "img", "script", "style", "iframe", "video", "audio"}
    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "div", "blockquote", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self._end_paragraph()

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self._end_paragraph()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)

    def _end_paragraph(self):
        text = "".join(self.current).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def close(self):
        super().close()
        self._end_paragraph()


def html_paragraphs(markup: str) -> list[str]:
    """The paragraphs of an HTML fragment as plain text (links keep their words only)."""
    parser = _TextOnly()
    parser.feed(markup or "")
    parser.close()
    return parser.paragraphs


def speakable(paragraph: str) -> str:
    """One paragraph as it is read: addresses removed, numbers in words, spaces tidied."""
    paragraph = _URL.sub("", paragraph)
    paragraph = re.sub(r"[ \t\u3000]+", " ", paragraph).strip()
    return spoken_numbers(paragraph)


def article_paragraphs(page) -> list[str]:
    """The paragraphs of a page's body that are read on air: text and quotes, not pictures,
    their captions or media."""
    body = getattr(page, "body", None)
    paragraphs: list[str] = []
    if body:
        for block in body:
            if block.block_type == "paragraph":
                paragraphs.extend(html_paragraphs(str(block.value.source)))
            elif block.block_type == "quote":
                paragraphs.append(str(block.value.get("text", "")))
    for name in ("story", "introduction"):
        value = getattr(page, name, None)
        if value and not paragraphs:
            paragraphs.extend(html_paragraphs(str(getattr(value, "source", value))))
    if not paragraphs and getattr(page, "summary", ""):
        paragraphs.append(page.summary)
    return paragraphs


def radio_script(page) -> str:
    """The script read on air: the title, then the body's paragraphs, ready to be read."""
    lines = [speakable(page.title)]
    lines += [speakable(paragraph) for paragraph in article_paragraphs(page)]
    return "\n".join(line for line in lines if line)


def spoken_characters(text: str) -> int:
    """How many characters are voiced (punctuation and spaces are not)."""
    return len(_SILENT.sub("", text or ""))


def spoken_seconds(text: str, chars_per_second: float = DEFAULT_CHARS_PER_SECOND) -> int:
    """Whole seconds needed to read ``text`` at ``chars_per_second``, rounded up."""
    if chars_per_second <= 0:
        raise ValueError("chars_per_second must be positive")
    characters = spoken_characters(text)
    return math.ceil(characters / chars_per_second) if characters else 0


def pace_of(outlet) -> float:
    """The outlet's announcer pace in characters a second (its settings, else 4)."""
    try:
        pace = float((outlet.config or {}).get("chars_per_second") or DEFAULT_CHARS_PER_SECOND)
    except (TypeError, ValueError):
        return DEFAULT_CHARS_PER_SECOND
    return pace if 1 <= pace <= 12 else DEFAULT_CHARS_PER_SECOND
