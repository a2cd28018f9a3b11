"""Counting words as a Chinese newspaper does, and rich text turned into plain paragraphs."""

import pytest

from media_schedule.channels.newspaper.version import clean_text, count_words, html_paragraphs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("军民团结一家亲", 7),
        # Every full-width punctuation mark is a word, as in Word's 字数.
        ("军民团结，一家亲！", 9),
        # A run of digits is one word: 2026 / 年 / 8 / 月 / 1 / 日.
        ("2026年8月1日", 6),
        ("“拥军优属”——好！", 10),
        ("Hello world", 2),
        ("COVID-19 疫情", 3),
        ("3.5 万人", 3),
        ("don’t", 1),
        ("ＡＢＣ１２３", 1),
        ("阿卜杜·热合曼", 7),
        ("   \n\t", 0),
        ("", 0),
    ],
)
def test_count_words(text, expected):
    assert count_words(text) == expected


def test_ascii_punctuation_and_spaces_are_not_counted():
    assert count_words("A, B; C!") == 3


def test_rich_text_becomes_paragraphs():
    markup = (
        "<p>一段<b>加粗</b>文字</p><h2>小标题</h2>"
        "<ol><li>甲</li><li><p>乙</p></li><li></li><li>丙</li></ol><ul><li>丁</li></ul>"
        '<p>第一行<br>第二行</p><embed embedtype="image" id="1" format="left"/>'
        "<p>&lt;不是标签&gt; &amp; 实体</p>"
    )

    assert html_paragraphs(markup) == [
        "一段加粗文字",
        "小标题",
        "1. 甲",
        "2. 乙",
        "4. 丙",
        "丁",
        "第一行",
        "第二行",
        "<不是标签> & 实体",
    ]


def test_scripts_and_styles_are_dropped_from_rich_text():
    markup = "<p>正文<script>alert('x')</script></p><style>p{}</style><p onclick='x()'>二</p>"

    assert html_paragraphs(markup) == ["正文", "二"]


def test_clean_text_removes_what_documents_cannot_hold():
    assert clean_text("主\x0b标题\x00 \n  续") == "主标题 续"
