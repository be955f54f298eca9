"""Public catalogue pages as a citizen sees them: list, search, filters, detail, form downloads.

Pages are requested in English (the language switcher's cookie) so the assertions read the
English msgids whatever the state of the Vietnamese catalogue; the default language is covered
separately.
"""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.calendar import TimeUnit
from procedures.constants import OnlineLevel, ProcedureStatus
from procedures.templatetags.catalogue import duration_words
from procedures.tests.factories import (
    FORM_BYTES,
    DossierComponentFactory,
    FieldFactory,
    ProcedureFactory,
    ProcedureStepFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("procedures:procedure-list")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
    return client


def get_html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def result_names(html):
    return re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">([^<]+)</a></h2>', html)


@pytest.fixture
def karaoke(agency):
    return ProcedureFactory(
        published=True,
        agency=agency,
        code="1.000963",
        local_code="1.000963.000.00.20.H32",
        name="Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        field=FieldFactory(code="van-hoa-co-so", name="Văn hóa cơ sở"),
        fee_description="Thành phố: từ 01 đến 03 phòng 4.000.000 đồng/giấy phép",
        fee_legal_basis="Thông tư số 01/2021/TT-BTC",
        online_level=OnlineLevel.FULL,
        requirements="Phòng hát có diện tích từ 20 m² trở lên",
        effective_from="2024-01-01",
        effective_until="2099-12-31",
    )


# --- list ---------------------------------------------------------------------------------


def test_list_shows_what_a_citizen_needs_on_each_line(en_client, karaoke):
    ProcedureFactory(published=True, name="Đăng ký tổ chức lễ hội", field=karaoke.field)

    html = get_html(en_client, LIST_URL)

    assert "2 procedures." in html
    assert f'href="{karaoke.get_absolute_url()}"' in html
    assert karaoke.name in html
    assert "1.000963" in html
    assert "Văn hóa cơ sở" in html
    assert "Processing time: <strong>5 working days</strong>" in html
    assert "Fee: yes" in html and "Fee: none" in html
    assert "Fully online" in html and "Partially online" in html
    assert '<label for="id_q"' in html and 'role="search"' in html


def test_list_is_in_vietnamese_by_default(client, karaoke):
    html = get_html(client, LIST_URL)
    assert '<html lang="vi">' in html
    assert karaoke.name in html


def test_search_box_keeps_the_query_and_counts_results(en_client, karaoke):
    ProcedureFactory(published=True, name="Điều chỉnh Giấy phép kinh doanh dịch vụ karaoke")
    ProcedureFactory(published=True, name="Đăng ký tổ chức lễ hội")

    html = get_html(en_client, LIST_URL + "?q=KARAOKE")

    assert "2 procedures found for “KARAOKE”." in html
    assert 'value="KARAOKE"' in html
    assert "Đăng ký tổ chức lễ hội" not in result_names(html)


def test_drafts_and_retired_versions_are_not_listed(en_client, karaoke):
    ProcedureFactory(name="Thủ tục karaoke bản nháp")
    ProcedureFactory(retired=True, name="Thủ tục karaoke đã bãi bỏ")

    html = get_html(en_client, LIST_URL + "?q=karaoke")

    assert result_names(html) == [karaoke.name]


def test_field_and_online_filters(en_client, karaoke):
    library = FieldFactory(code="thu-vien", name="Thư viện")
    ProcedureFactory(
        published=True, name="Thông báo thành lập thư viện", field=library, online_level="none"
    )
    ProcedureFactory(bare=True, name="Bản nháp thư viện", field=FieldFactory(name="Chỉ bản nháp"))

    html = get_html(en_client, LIST_URL + "?field=thu-vien")
    assert result_names(html) == ["Thông báo thành lập thư viện"]
    assert '<option value="thu-vien" selected>Thư viện</option>' in html
    # Only fields with something published are offered.
    assert "Chỉ bản nháp" not in html

    html = get_html(en_client, LIST_URL + "?online=full")
    assert result_names(html) == [karaoke.name]
    assert '<option value="full" selected>' in html

    html = get_html(en_client, LIST_URL + "?online=none&field=van-hoa-co-so")
    assert result_names(html) == []
    assert "No procedure matches your search" in html


def test_empty_result_offers_help_and_the_hotline(en_client, agency, karaoke):
    html = get_html(en_client, LIST_URL + "?q=khong+co+thu+tuc+nay")

    assert "0 procedures found" in html
    assert "No procedure matches your search" in html
    assert agency.hotline in html
    assert f'href="{LIST_URL}"' in html


def test_pagination_pages_through_every_result_keeping_the_search(en_client, settings, agency):
    settings.CATALOGUE_PAGE_SIZE = 20
    field = FieldFactory()
    for n in range(45):
        ProcedureFactory(published=True, bare=True, field=field, name=f"Lễ hội số {n:02d}")

    page1 = get_html(en_client, LIST_URL + "?q=le+hoi")
    page3 = get_html(en_client, LIST_URL + "?q=le+hoi&page=3")

    assert "45 procedures found" in page1
    assert len(result_names(page1)) == 20
    assert result_names(page3) == [f"Lễ hội số {n}" for n in range(40, 45)]
    assert '<span class="page-link" aria-current="page">1</span>' in page1
    assert 'href="?q=le+hoi&amp;page=2"' in page1
    assert '<span class="page-link" aria-current="page">3</span>' in page3
    seen = set()
    for number in (1, 2, 3):
        seen.update(result_names(get_html(en_client, LIST_URL + f"?q=le+hoi&page={number}")))
    assert len(seen) == 45


@pytest.mark.parametrize(
    ("page", "expected_current"),
    [("abc", 1), ("2.5", 1), ("0", 3), ("999", 3), ("-1", 3), ("9" * 100, 3), ("9" * 5000, 1)],
)
def test_out_of_range_page_falls_back_to_a_real_page(en_client, agency, page, expected_current):
    field = FieldFactory()
    for n in range(45):
        ProcedureFactory(published=True, bare=True, field=field, name=f"Thủ tục {n:02d}")

    html = get_html(en_client, LIST_URL + f"?page={page}")

    assert f'aria-current="page">{expected_current}</span>' in html


BAD_QUERY_STRINGS = {
    "5000-char query": "q=" + "a" * 5000,
    "SQL fragment": "q=%27+OR+1%3D1+--",
    "SQL drop": "q=karaoke%27%3B+DROP+TABLE+procedures_procedure%3B+--",
    "emoji": "q=%F0%9F%8E%A4+karaoke+%F0%9F%8E%B6",
    "NUL byte": "q=%00",
    "NUL inside a word": "q=kara%00oke",
    "control characters": "q=%01%02%1B%7F",
    "invalid UTF-8": "q=%FF%FE%ED%A0%80",
    "combining marks only": "q=%CC%81%CC%80%CC%A3",
    "right-to-left and CJK": "q=%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9+%E4%B8%AD%E6%96%87",
    "many terms": "q=" + "+".join(["dang", "ky"] * 60),
    "unknown field": "field=khong-ton-tai",
    "field with NUL": "field=%00",
    "unknown online level": "online=4",
    "repeated parameters": "q=karaoke&q=le+hoi&field=a&field=b",
    "HTML": "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "wildcards": "q=%25%25%25_",
    "page with NUL": "page=%00",
}


@pytest.mark.parametrize("query_string", BAD_QUERY_STRINGS.values(), ids=BAD_QUERY_STRINGS.keys())
def test_any_input_gives_a_normal_page(en_client, karaoke, query_string):
    html = get_html(en_client, f"{LIST_URL}?{query_string}")

    assert "<h1" in html and "Administrative procedures" in html
    assert "<script>alert(1)</script>" not in html


def test_sql_fragment_is_searched_as_text_and_finds_nothing(en_client, karaoke):
    html = get_html(en_client, LIST_URL + "?q=%27+OR+1%3D1+--")
    assert result_names(html) == []
    assert "0 procedures found" in html


def test_nul_byte_is_dropped_and_the_rest_is_searched(en_client, karaoke):
    html = get_html(en_client, LIST_URL + "?q=kara%00oke")
    assert result_names(html) == [karaoke.name]


def test_too_long_query_is_ignored_with_a_message(en_client, karaoke):
    html = get_html(en_client, LIST_URL + "?q=" + "karaoke " * 700)

    assert "Your search was too long" in html
    assert result_names(html) == [karaoke.name]  # the whole catalogue, not an error
    assert "karaoke karaoke" not in html  # not echoed back


def test_unknown_filters_are_ignored_with_a_message(en_client, karaoke):
    html = get_html(en_client, LIST_URL + "?q=karaoke&field=khong-ton-tai&online=4")

    assert "The field you chose does not exist and has been ignored." in html
    assert "The online service level you chose is unknown and was ignored." in html
    assert result_names(html) == [karaoke.name]  # the valid search still applies


def test_list_query_count_does_not_grow_with_rows(en_client, agency, django_assert_max_num_queries):
    fields = [FieldFactory() for _ in range(6)]
    for n in range(60):
        ProcedureFactory(published=True, field=fields[n % 6], name=f"Đăng ký thủ tục {n}")

    # primary agency, field choices (both cached afterwards), page rows with their total
    with django_assert_max_num_queries(3):
        html = get_html(en_client, LIST_URL)
    assert len(result_names(html)) == 20
    with django_assert_max_num_queries(1):
        html = get_html(en_client, LIST_URL + "?q=dang+ky&page=3")
    assert "60 procedures found" in html and len(result_names(html)) == 20
    with django_assert_max_num_queries(1):
        html = get_html(en_client, LIST_URL + "?q=dang+ky&field=" + fields[0].code)
    assert "10 procedures found" in html
    # A page past the end falls back to the last page: the empty page, a count, the last page.
    with django_assert_max_num_queries(3):
        html = get_html(en_client, LIST_URL + "?q=dang+ky&page=9")
    assert '<span class="page-link" aria-current="page">3</span>' in html


# --- detail -------------------------------------------------------------------------------


def test_detail_lays_out_every_published_component_in_order(en_client, agency, karaoke):
    html = get_html(en_client, karaoke.get_absolute_url())
    html = html[html.index("<main") :]

    in_order = [
        karaoke.name,
        "1.000963.000.00.20.H32",
        "Văn hóa cơ sở",
        "District",
        'id="subjects-title"',
        "Phòng Văn hóa và Thông tin",
        'id="submit-title"',
        "Bộ phận Một cửa, 01 Trần Phú, Nha Trang",
        "By public postal service",
        'id="steps-title"',
        'id="dossier-title"',
        'id="time-title"',
        "5 working days kể từ ngày nhận đủ hồ sơ hợp lệ",
        'id="result-title"',
        "Giấy chứng nhận",
        'id="requirements-title"',
        "Phòng hát có diện tích từ 20 m² trở lên",
        'id="fees-title"',
        "4.000.000 đồng/giấy phép",
        "Thông tư số 01/2021/TT-BTC",
        'id="legal-title"',
        "Nghị định số 54/2019/NĐ-CP",
        "Publication decision",
        "1789/QĐ-UBND",
        "01/01/2024",
        "31/12/2099",
        "In force",
        'id="online-title"',
        "The whole procedure can be done online",
        reverse("dossiers:lookup"),
        agency.hotline,
        reverse("feedback:submit"),
    ]
    at = 0
    for text in in_order:
        at = html.find(text, at)
        assert at >= 0, f"{text!r} missing or out of order"


def test_detail_tables_have_headers_and_steps_are_in_order(en_client, karaoke):
    ProcedureStepFactory(procedure=karaoke, position=0, title="Bước đầu tiên: chuẩn bị hồ sơ")

    html = get_html(en_client, karaoke.get_absolute_url())

    assert html.count('<th scope="col">') == 9  # 4 methods columns + 5 components columns
    steps = html[html.index('class="procedure-steps"') :]
    # position 0 comes before the factory's two steps (position 1)
    assert steps.index("Bước đầu tiên") < steps.index("nộp hồ sơ tại Bộ phận Một cửa")
    assert 'onclick="window.print()"' in html and "no-print" in html


def test_detail_links_each_form_with_its_file_type(en_client, karaoke):
    component = karaoke.components.exclude(form_file="").get()

    html = get_html(en_client, karaoke.get_absolute_url())

    url = reverse("procedures:component-form", args=[karaoke.code, component.pk])
    assert f'href="{url}"' in html
    assert "Download Mẫu số 01 (DOCX)" in html
    assert "No form" in html  # the second component has none


def test_illustrative_procedure_carries_a_warning(en_client, karaoke):
    assert "Illustrative content" not in get_html(en_client, karaoke.get_absolute_url())

    sample = ProcedureFactory(published=True, is_illustrative=True)
    html = get_html(en_client, sample.get_absolute_url())
    assert 'class="alert alert-warning illustrative-warning"' in html
    assert "has not yet been checked against the official publication decision" in html


def test_detail_shows_the_published_version_not_an_older_or_newer_one(en_client, karaoke):
    ProcedureFactory(
        code=karaoke.code, version=2, status=ProcedureStatus.DRAFT, name="Tên mới chưa công bố"
    )
    karaoke.status = ProcedureStatus.RETIRED
    karaoke.save()
    ProcedureFactory(code=karaoke.code, version=3, published=True, name="Tên đang công bố")

    html = get_html(en_client, karaoke.get_absolute_url())

    assert "Tên đang công bố" in html
    assert "Tên mới chưa công bố" not in html and karaoke.name not in html


@pytest.mark.parametrize(
    "url",
    [
        "/thu-tuc/1.999999/",
        "/thu-tuc/khong-phai-ma/",
        "/thu-tuc/%00/",
        "/thu-tuc/1.000963%00/",
        "/thu-tuc/" + "9" * 3000 + "/",
        "/thu-tuc/%27%20OR%201=1%20--/",
    ],
)
def test_unknown_code_gives_the_portal_404_page(client, karaoke, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert '<html lang="vi">' in response.content.decode()


def test_draft_only_code_is_not_found(client):
    draft = ProcedureFactory(name="Thủ tục chưa công bố")

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404
    assert "Thủ tục chưa công bố" not in response.content.decode()


def test_detail_query_count_does_not_grow_with_children(
    en_client, karaoke, django_assert_max_num_queries
):
    for n in range(25):
        ProcedureStepFactory(procedure=karaoke, position=n + 3, title=f"Bước phụ {n}")
        DossierComponentFactory(procedure=karaoke, position=n + 3, with_form=True)

    # primary agency, procedure with field and agency, steps, methods, components, and the
    # published questions and answers about the procedure (feedback archive)
    with django_assert_max_num_queries(6):
        html = get_html(en_client, karaoke.get_absolute_url())
    assert html.count("Download Mẫu số 01 (DOCX)") == 26


# --- form downloads -----------------------------------------------------------------------


def test_form_of_a_published_procedure_downloads_as_an_attachment(client, karaoke):
    component = karaoke.components.exclude(form_file="").get()

    response = client.get(reverse("procedures:component-form", args=[karaoke.code, component.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-so-01.docx"'
    assert b"".join(response.streaming_content) == FORM_BYTES


def test_form_of_a_draft_or_retired_version_is_not_found(client, karaoke):
    draft = ProcedureFactory(code="2.000001")
    retired = ProcedureFactory(code="2.000002", retired=True)
    for procedure in (draft, retired):
        component = procedure.components.exclude(form_file="").get()
        url = reverse("procedures:component-form", args=[procedure.code, component.pk])
        assert client.get(url).status_code == 404


def test_form_download_needs_the_matching_code_and_a_file(client, karaoke):
    with_form = karaoke.components.exclude(form_file="").get()
    without_form = karaoke.components.filter(form_file="").get()
    other = ProcedureFactory(published=True)

    wrong_code = reverse("procedures:component-form", args=[other.code, with_form.pk])
    no_file = reverse("procedures:component-form", args=[karaoke.code, without_form.pk])
    unknown = reverse("procedures:component-form", args=[karaoke.code, 999999])
    assert client.get(wrong_code).status_code == 404
    assert client.get(no_file).status_code == 404
    assert client.get(unknown).status_code == 404


def test_form_missing_on_disk_is_not_found_rather_than_an_error(client, karaoke):
    component = karaoke.components.exclude(form_file="").get()
    component.form_file.storage.delete(component.form_file.name)

    url = reverse("procedures:component-form", args=[karaoke.code, component.pk])
    assert client.get(url).status_code == 404


# --- processing time in plain words -------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "unit", "expected"),
    [
        (Decimal("1"), TimeUnit.WORKING_DAYS, "1 working day"),
        (Decimal("5.0"), TimeUnit.WORKING_DAYS, "5 working days"),
        (Decimal("0.5"), TimeUnit.WORKING_DAYS, "0.5 working days"),
        (Decimal("15"), TimeUnit.CALENDAR_DAYS, "15 days"),
        (Decimal("1"), TimeUnit.CALENDAR_DAYS, "1 day"),
        (Decimal("4"), TimeUnit.WORKING_HOURS, "4 working hours"),
        (Decimal("1"), TimeUnit.WORKING_HOURS, "1 working hour"),
    ],
)
def test_processing_time_in_plain_words(amount, unit, expected):
    with translation.override("en"):
        assert duration_words(amount, unit) == expected
