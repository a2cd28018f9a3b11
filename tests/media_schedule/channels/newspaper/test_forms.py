"""The newspaper outlet's settings form and how a stored config is read back."""

import json

from media_schedule.channels import get_channel
from media_schedule.channels.newspaper.forms import NewspaperConfigForm, PaperConfig

from .conftest import PAPER_CONFIG


def form_for(**changes) -> NewspaperConfigForm:
    data = {
        "paper_name": "示范县报",
        "issue_days": ["0", "2", "4"],
        "sections": "要闻版\n\n  国防教育专版  \n要闻版\n",
        "body_word_limit": "1200",
        "title_word_limit": "30",
    }
    data.update(changes)
    return NewspaperConfigForm(data={k: v for k, v in data.items() if v is not None})


def test_the_adapter_offers_the_form():
    assert get_channel("newspaper").config_form_class is NewspaperConfigForm


def test_cleaned_data_is_the_config_and_survives_json():
    form = form_for()

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "paper_name": "示范县报",
        "issue_days": [0, 2, 4],
        "sections": ["要闻版", "国防教育专版"],
        "body_word_limit": 1200,
        "title_word_limit": 30,
    }
    assert json.loads(json.dumps(form.cleaned_data)) == form.cleaned_data


def test_a_daily_paper_selects_every_day():
    form = form_for(issue_days=[str(day) for day in range(7)])

    assert form.is_valid(), form.errors
    assert form.cleaned_data["issue_days"] == [0, 1, 2, 3, 4, 5, 6]


def test_the_stored_config_fills_the_form_again():
    form = NewspaperConfigForm(initial=PAPER_CONFIG)

    html = form.as_div()

    assert form["sections"].value() == "要闻版\n国防教育专版"
    assert 'value="示范县报"' in html
    assert [w.data["selected"] for w in form["issue_days"].subwidgets] == [
        True, True, True, True, True, False, False,
    ]  # fmt: skip


def test_without_issue_days_sections_or_positive_limits_the_form_says_why():
    form = form_for(issue_days=None, sections=" \n \n", body_word_limit="0", title_word_limit="-3")

    assert not form.is_valid()
    assert form.errors["issue_days"] == ["请至少选择一个出版日。"]
    assert form.errors["sections"] == ["请至少填写一个版面。"]
    assert "body_word_limit" in form.errors
    assert "title_word_limit" in form.errors


def test_a_section_name_too_long_is_named():
    long_name = "国防教育与双拥工作融合发展专题宣传深度报道周刊特别版面"  # 27 characters
    form = form_for(sections=f"要闻版\n{long_name}甲乙丙丁")

    assert not form.is_valid()
    assert form.errors["sections"] == [f"版面名称不能超过 30 字：{long_name}甲乙丙丁"]


def test_a_config_saved_by_hand_reads_as_unset_where_it_is_wrong():
    config = PaperConfig.from_config(
        {
            "paper_name": "  县报 ",
            "issue_days": [1, "2", 9, True, 5],
            "sections": "要闻版",
            "body_word_limit": "1200",
            "title_word_limit": 0,
        }
    )

    assert config == PaperConfig(paper_name="县报", issue_days=(1, 5))
    assert PaperConfig.from_config(None) == PaperConfig()
    assert PaperConfig.of(None).default_section == ""
