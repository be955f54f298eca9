from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from feedback import selectors, services
from feedback.constants import Category, Channel, FeedbackStatus
from feedback.tokens import tracking_token
from procedures.tests.factories import FieldFactory, ProcedureFactory

from .factories import (
    SENDER_ADDRESS,
    SENDER_EMAIL,
    SENDER_NAME,
    SENDER_PHONE_E164,
    FeedbackInputFactory,
    make_feedback,
)

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def publish(agency, boss, *, question, answer="Câu trả lời.", **fields):
    feedback = make_feedback(agency, state="answered", leader=boss, **fields)
    return services.feedback_publish(
        feedback=feedback, user=boss, public_question=question, public_answer=answer
    )


@pytest.mark.parametrize(
    "query",
    ["lệ phí karaoke", "le phi karaoke", "LE PHI Karaoke", "  lệ   phí  ", "KARAOKE"],
)
def test_archive_search_ignores_diacritics_and_case(agency, boss, query):
    match = publish(agency, boss, question="Lệ phí cấp giấy phép karaoke là bao nhiêu?")
    publish(agency, boss, question="Thời gian cấp thẻ thư viện?")
    page = selectors.archive_search(query=query)
    assert [item.pk for item in page.items] == [match.pk]
    assert page.total == 1


def test_archive_lists_only_published_answers_newest_first(agency, boss):
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=VN), tick=False):
        older = publish(agency, boss, question="Câu hỏi một")
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=VN), tick=False):
        newer = publish(agency, boss, question="Câu hỏi hai")
    make_feedback(agency, state="answered", leader=boss)
    make_feedback(agency)
    assert [i.pk for i in selectors.archive_search().items] == [newer.pk, older.pk]


@pytest.mark.parametrize("window", [1, 3, 2000])
def test_archive_search_gives_the_same_pages_through_the_window_or_the_index(
    agency, boss, settings, monkeypatch, window
):
    settings.FEEDBACK_ARCHIVE_PAGE_SIZE = 2
    monkeypatch.setattr(selectors, "ARCHIVE_WINDOW_ROWS", window)
    items = []
    for n in range(6):
        with time_machine.travel(datetime(2026, 3, 2 + n, 9, tzinfo=VN), tick=False):
            question = f"Lệ phí số {n}" if n % 2 else f"Thời hạn số {n}"
            items.append(publish(agency, boss, question=question))
    fees = [i.pk for i in reversed(items) if "Lệ" in i.public_question]
    pages = [selectors.archive_search(query="le phi", page=p) for p in (1, 2)]
    assert [i.pk for i in pages[0].items] + [i.pk for i in pages[1].items] == fees
    assert (pages[0].has_next, pages[1].has_next, pages[1].total) == (True, False, None)
    assert selectors.archive_search(query="50%_\\").items == []


def test_archive_filters_by_procedure_versions_and_field(agency, boss):
    karaoke = ProcedureFactory(published=True, agency=agency, field=FieldFactory(code="vh"))
    library = ProcedureFactory(published=True, agency=agency, field=FieldFactory(code="tv"))
    a = publish(agency, boss, question="Hỏi về karaoke", procedure=karaoke)
    b = publish(agency, boss, question="Hỏi về thư viện", procedure=library)
    by_code = selectors.archive_search(procedure_code=karaoke.code)
    by_field = selectors.archive_search(field_id=library.field_id)
    assert [i.pk for i in by_code.items] == [a.pk]
    assert [i.pk for i in by_field.items] == [b.pk]


def test_archive_pages_are_bounded(agency, boss, settings):
    settings.FEEDBACK_ARCHIVE_PAGE_SIZE = 2
    for n in range(5):
        publish(agency, boss, question=f"Câu hỏi số {n}")
    first = selectors.archive_search(page=1)
    last = selectors.archive_search(page=3)
    beyond = selectors.archive_search(page=10_000)
    assert (first.total, first.has_next, len(first.items)) == (None, True, 2)
    assert (len(last.items), last.has_next) == (1, False)
    assert beyond.number == selectors.ARCHIVE_MAX_PAGE and beyond.items == []


def test_public_reads_never_load_personal_data(agency, boss, procedure):
    item = publish(agency, boss, question="Thủ tục này mất bao lâu?", procedure=procedure)
    loaded = selectors.archive_search().items[0]
    deferred = loaded.get_deferred_fields()
    assert {"sender_name", "sender_phone", "sender_email", "sender_address", "content"} <= deferred
    answer = selectors.archive_answer(pk=item.pk)
    assert "sender_name" in answer.get_deferred_fields()
    questions = selectors.procedure_questions(procedure=procedure)
    assert [q.pk for q in questions] == [item.pk]
    for value in (SENDER_NAME, SENDER_ADDRESS, SENDER_EMAIL, SENDER_PHONE_E164):
        assert value not in repr(vars(loaded))


def test_tracking_needs_the_token_and_shows_no_personal_data(agency):
    feedback = make_feedback(agency)
    assert selectors.track(code=feedback.code, token="x" * 16) is None
    assert selectors.track(code="nonsense", token=tracking_token("nonsense")) is None
    item = selectors.track(code=feedback.code.lower(), token=tracking_token(feedback.code))
    assert item.status == FeedbackStatus.RECEIVED and item.code == feedback.code
    assert SENDER_NAME not in repr(item) and "+849" not in repr(item)


def test_register_filters_and_visibility(agency, boss, officer, desk):
    mine = make_feedback(agency, state="processing", leader=boss)
    services.feedback_assign(feedback=mine, user=boss, officer=officer)
    other = make_feedback(agency, category=Category.CONDUCT)
    assert {f.pk for f in selectors.feedback_register(user=desk)} == {mine.pk, other.pk}
    assert [f.pk for f in selectors.feedback_register(user=officer)] == [mine.pk]
    found = selectors.feedback_register(user=desk, filters={"category": Category.CONDUCT})
    assert [f.pk for f in found] == [other.pk]
    by_code = selectors.feedback_register(user=desk, filters={"q": other.code})
    by_number = selectors.feedback_register(user=desk, filters={"q": other.register_label})
    by_name = selectors.feedback_register(user=desk, filters={"q": "xuyến"})
    assert [f.pk for f in by_code] == [f.pk for f in by_number] == [other.pk]
    assert by_name.count() == 2
    counts = selectors.register_counts(user=desk)
    assert counts == {"total": 2, "open": 2, "overdue": 0}


def test_figures_count_categories_channels_timeliness_and_helpfulness(agency, boss, desk):
    published = make_feedback(agency, state="published", leader=boss)
    make_feedback(agency, state="refused", leader=boss, category=Category.REGULATION)
    services.feedback_submit(
        agency=agency,
        data=FeedbackInputFactory(),
        channel=Channel.PHONE,
        received_by=desk,
    )
    services.feedback_mark_helpful(feedback_id=published.pk, helpful=True)
    services.feedback_mark_helpful(feedback_id=published.pk, helpful=True)
    services.feedback_mark_helpful(feedback_id=published.pk, helpful=False)
    figures = selectors.feedback_figures(agency=agency)
    assert figures.total == 3
    assert dict(figures.by_channel)[Channel.PHONE.label] == 1
    assert dict(figures.by_channel)[Channel.WEB.label] == 2
    assert dict(figures.by_category)[Category.REGULATION.label] == 1
    assert (figures.decided, figures.decided_on_time, figures.on_time_rate) == (2, 2, 1.0)
    assert (figures.helpful, figures.not_helpful) == (2, 1)
    assert figures.satisfaction_rate == 1.0
    assert figures.open == 1 and figures.published == 1
