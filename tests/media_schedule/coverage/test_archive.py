"""The inspection archive: the ZIP's ledger read back, the PDF's text and pages, the evidence
files organised by medium and date with checksums that verify, and the job run by a real
worker with its progress and permission-checked download."""

import datetime
import hashlib
import io
import time
import zipfile

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image
from pypdf import PdfReader

from media_schedule.coverage.archive import build_archive, collect
from media_schedule.coverage.models import ArchiveJob, StandardItem
from media_schedule.coverage.standards import item_evidence_add
from media_schedule.dispatch.record import delivery_confirm
from media_schedule.evidence import evidence_from_upload
from media_schedule.models import DeliveryRecord
from publicity.models import Campaign, CampaignTarget
from tests.support.media_clips import clip
from tests.support.roles import user_in_role

from .conftest import beijing, deliver, placement_on

pytestmark = pytest.mark.django_db
D = datetime.date


def jpeg_bytes(colour=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def year_of_work(outlets, page):
    """A campaign with a TV target, deliveries on every medium, a newspaper clipping with a
    photo, and two standard items, one with evidence attached by hand."""
    head = user_in_role("双拥办主任", username="zhuren")
    campaign = Campaign.objects.create(
        name="八一建军节宣传", slug="bayi-2026", starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 9)
    )
    CampaignTarget.objects.create(campaign=campaign, medium="tv", count=2, per="week")
    deliver(outlets["tv"], beijing(2026, 7, 21, 19), page=page, campaign=campaign)
    deliver(outlets["online"], beijing(2026, 7, 22, 9), page=page, campaign=campaign)
    deliver(outlets["screen"], beijing(2026, 7, 23, 8), page=page, campaign=campaign)
    clipping = placement_on(
        outlets["newspaper"], beijing(2026, 7, 31, 6), page=page, campaign=campaign,
        status="awaiting",
    )  # fmt: skip
    with time_machine.travel(beijing(2026, 8, 1, 10), tick=False):
        delivery_confirm(
            placement=clipping, source=DeliveryRecord.Source.EDITOR, user=head,
            confirmed_at=beijing(2026, 7, 31, 6),
            evidence=[evidence_from_upload("第2版.jpg", jpeg_bytes())],
        )  # fmt: skip
    StandardItem.objects.create(
        code="2.1", text="报纸开设双拥专栏，八一期间集中刊发", starts_on=D(2026, 7, 1),
        ends_on=D(2026, 8, 31), medium="newspaper", required_count=1, responsible=head,
    )  # fmt: skip
    visits = StandardItem.objects.create(
        code="4.1", text="八一期间开展走访慰问并留存影像", starts_on=D(2026, 7, 1),
        ends_on=D(2026, 8, 31), medium="", required_count=10,
    )  # fmt: skip
    item_evidence_add(
        item=visits, user=head, happened_on=D(2026, 7, 30), note="走访驻地部队",
        evidence=evidence_from_upload("走访.jpg", jpeg_bytes((160, 30, 30))),
    )  # fmt: skip
    return campaign


def open_archive(campaign=None) -> zipfile.ZipFile:
    data = collect(start=D(2026, 7, 20), end=D(2026, 8, 9), campaign=campaign)
    out = io.BytesIO()
    steps = []
    with time_machine.travel(beijing(2026, 8, 10, 9), tick=False):
        build_archive(data, out, progress=lambda percent, message: steps.append(percent))
    assert steps == sorted(steps)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_the_zip_holds_ledger_report_and_evidence_with_checksums_that_verify(year_of_work):
    archive = open_archive(year_of_work)
    names = archive.namelist()
    assert sorted(names) == sorted([
        "台账.xlsx",
        "报告.pdf",
        f"证据/报纸有文字/2026-07-31/{DeliveryRecord.objects.get(outlet__kind='newspaper', outcome='delivered').pk}-1.jpg",
        "证据/考评条目/01/2026-07-30/条目佐证-1.jpg",
        "SHA256SUMS.txt",
    ])  # fmt: skip
    lines = archive.read("SHA256SUMS.txt").decode().splitlines()
    assert len(lines) == 4
    for line in lines:
        digest, path = line.split("  ", 1)
        assert hashlib.sha256(archive.read(path)).hexdigest() == digest
    [clipping] = [name for name in names if name.startswith("证据/报纸有文字/")]
    assert archive.read(clipping) == jpeg_bytes()


def test_the_ledger_has_a_summary_a_sheet_per_medium_and_per_item(year_of_work):
    archive = open_archive(year_of_work)
    book = openpyxl.load_workbook(io.BytesIO(archive.read("台账.xlsx")))
    assert book.sheetnames == [
        "汇总", "目标差距", "电视有画面", "广播有声音", "报纸有文字", "网络有信息",
        "户外显示屏", "宣传栏", "条目1 4.1", "条目2 2.1",
    ]  # fmt: skip
    paper = list(book["报纸有文字"].iter_rows(values_only=True))
    assert paper[1][:5] == (
        datetime.datetime(2026, 7, 31, 6, 0), "示范县报", "双拥共建新篇章", "编辑登记", "双拥办主任",
    )  # fmt: skip
    assert paper[1][6].startswith("证据/报纸有文字/2026-07-31/")
    lacking = list(book["条目1 4.1"].iter_rows(values_only=True))
    assert lacking[0][:2] == ("标准条目", "八一期间开展走访慰问并留存影像")
    assert lacking[3][:2] == ("是否齐全", "缺少佐证")
    assert any(row[1] == "走访驻地部队" for row in lacking if row)
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert summary[1][:2] == ("宣传活动", "八一建军节宣传")


def test_the_report_has_its_sections_in_chinese_on_numbered_a4_pages(year_of_work):
    archive = open_archive(year_of_work)
    reader = PdfReader(io.BytesIO(archive.read("报告.pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in (
        "双拥宣传资料归档报告", "目录", "1. 覆盖汇总", "8. 考评标准逐条对照", "电视有画面", "报纸有文字",
        "户外显示屏", "考评标准逐条对照", "八一期间开展走访慰问并留存影像", "缺少佐证",
        "电视每周至少 2 条",
    ):  # fmt: skip
        assert heading in text, heading
    assert len(reader.pages) == 10  # cover, contents, summary, six media, checklist
    assert "第 2 页，共 10 页" in reader.pages[1].extract_text()
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("CJK" in name for name in fonts), fonts


@pytest.mark.worker
def test_the_job_runs_on_a_worker_and_only_archive_users_download_it(
    celery_worker, year_of_work, client
):
    head = user_in_role("双拥办主任", username="zhuren2")
    client.force_login(head)
    with transaction.atomic():
        response = client.post(
            "/admin/coverage/archive/start/",
            {"starts_on": "2026-07-20", "ends_on": "2026-08-09", "campaign": year_of_work.pk},
        )
    job = ArchiveJob.objects.get()
    assert response["Location"] == f"/admin/coverage/archive/?job={job.pk}"
    deadline = time.monotonic() + 120
    progress = []
    while time.monotonic() < deadline:
        status = client.get(f"/admin/coverage/archive/{job.pk}/status/").json()
        progress.append(status["progress"])
        if status["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert status["status"] == "done", status["error"] or celery_worker.log_tail()
    assert progress == sorted(progress) and progress[-1] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert "filename*=utf-8''" in download["Content-Disposition"].lower()
    body = b"".join(download.streaming_content)
    assert "SHA256SUMS.txt" in zipfile.ZipFile(io.BytesIO(body)).namelist()

    for role in ("覆盖查看", "仅后台访问"):
        client.force_login(user_in_role(role, username=f"u-{role}"))
        assert client.get(status["download_url"]).status_code in (302, 403)
        assert client.get(f"/admin/coverage/archive/{job.pk}/status/").status_code in (302, 403)
        started = client.post(
            "/admin/coverage/archive/start/", {"starts_on": "2026-07-20", "ends_on": "2026-08-09"}
        )
        assert started.status_code in (302, 403) and ArchiveJob.objects.count() == 1
        if started.status_code == 302:
            assert "/archive/?job=" not in started["Location"]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"starts_on": "2026-08-09", "ends_on": "2026-07-20"}, "结束日期不能早于开始日期。"),
        ({"starts_on": "2020-01-01", "ends_on": "2026-07-20"}, "归档期间最长两年。"),
        ({"starts_on": "2026-02-30", "ends_on": "2026-07-20"}, "输入一个有效的日期。"),
        ({"starts_on": "2026-07-01", "ends_on": "2026-07-20", "campaign": "99999"}, "选择一个有效的选项"),
    ],
)  # fmt: skip
def test_a_bad_archive_request_starts_nothing_and_says_why(client, form, error):
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    response = client.post("/admin/coverage/archive/start/", form, follow=True)
    assert error in response.content.decode()
    assert ArchiveJob.objects.count() == 0
    assert client.get("/admin/coverage/archive/start/").status_code == 405


def test_the_download_name_keeps_a_campaign_name_out_of_paths():
    from media_schedule.coverage.archive import archive_name

    job = ArchiveJob(
        starts_on=D(2026, 7, 20), ends_on=D(2026, 8, 9),
        campaign=Campaign(name='八一/../"宣传" 周'),
    )  # fmt: skip
    assert archive_name(job) == "资料归档_八一_.._宣传_周_20260720-20260809.zip"


@time_machine.travel(beijing(2026, 11, 30, 9), tick=False)
def test_the_archive_form_offers_this_year_in_the_form_a_date_field_takes(client):
    # A browser's date field shows nothing for any other form than 2026-01-01, and the office
    # head would then press 开始归档 on two empty fields.
    client.force_login(user_in_role("双拥办主任", username="zhuren"))
    html = client.get("/admin/coverage/archive/").content.decode()
    assert 'type="date" name="starts_on" value="2026-01-01"' in html
    assert 'type="date" name="ends_on" value="2026-11-30"' in html


def test_audio_and_video_evidence_go_into_the_zip_and_the_report_lists_them(
    year_of_work, outlets, page
):
    head = user_in_role("双拥办主任", username="zhuren2")
    filmed = placement_on(
        outlets["newspaper"], beijing(2026, 8, 2, 6), page=page, campaign=year_of_work,
        status="awaiting",
    )  # fmt: skip
    with time_machine.travel(beijing(2026, 8, 2, 10), tick=False):
        delivery_confirm(
            placement=filmed, source=DeliveryRecord.Source.EDITOR, user=head,
            confirmed_at=beijing(2026, 8, 2, 6),
            evidence=[evidence_from_upload("读报录像.mp4", SimpleUploadedFile("读报录像.mp4", clip("mp4")))],
        )  # fmt: skip
    item_evidence_add(
        item=StandardItem.objects.get(code="4.1"), user=head, happened_on=D(2026, 8, 1),
        note="走访座谈录音", evidence=evidence_from_upload("座谈录音.mp3", clip("mp3")),
    )  # fmt: skip
    video = filmed.records.get().evidence.get()

    archive = open_archive(year_of_work)

    names = archive.namelist()
    assert f"证据/报纸有文字/2026-08-02/{video.record_id}-{video.pk}.mp4" in names
    [recording] = [name for name in names if name.endswith(".mp3")]
    assert recording.startswith("证据/考评条目/")
    assert archive.read(f"证据/报纸有文字/2026-08-02/{video.record_id}-{video.pk}.mp4") == clip(
        "mp4"
    )
    assert archive.read(recording) == clip("mp3")
    sums = archive.read("SHA256SUMS.txt").decode()
    assert hashlib.sha256(clip("mp4")).hexdigest() in sums
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(archive.read("报告.pdf"))).pages
    )
    assert "读报录像.mp4" in text and "座谈录音.mp3" in text
    assert f"{video.duration_seconds} 秒" in text and "录像" in text and "录音" in text
