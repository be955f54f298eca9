"""core.charts: inline SVG charts that carry their numbers (title, description, texts)."""

import re
import xml.etree.ElementTree as ET

from django.utils import translation

from core.charts import Series, bar_chart, format_value, line_chart

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = ["05/01", "12/01", "19/01", "26/01", "02/02", "09/02", "16/02", "23/02", "02/03", "09/03"]


def parse(html: str) -> ET.Element:
    """The chart must be well-formed markup (it is also printed and read by screen readers)."""
    return ET.fromstring(html)  # noqa: S314 - markup this test just rendered, not untrusted


def texts(figure: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in figure.iter(f"{SVG}text")]


def main_svg(figure: ET.Element) -> ET.Element:
    return next(figure.iter(f"{SVG}svg"))


def test_format_value_follows_the_active_language():
    with translation.override("vi"):
        assert format_value(87.5, "%") == "87,5%"
        assert format_value(12.0) == "12"
        assert format_value(None) == "Không có số liệu"
    with translation.override("en"):
        assert format_value(87.54, "%") == "87.5%"
        assert format_value(None) == "N/A"


def test_line_chart_is_an_accessible_image_with_every_number():
    html = line_chart(
        title="Hồ sơ theo tuần",
        labels=WEEKS[:4],
        series=[Series("Tiếp nhận", [12, 15, 9, 20]), Series("Đã giải quyết", [10, 11, 12, 8])],
    )
    figure = parse(html)
    assert figure.tag == "figure"
    assert "".join(figure.find("figcaption").itertext()) == "Hồ sơ theo tuần"
    svg = main_svg(figure)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    description = svg.find(f"{SVG}desc")
    assert description.get("id") == desc_id
    # The description reads the data series by series.
    assert description.text == (
        "Tiếp nhận: 05/01 12, 12/01 15, 19/01 9, 26/01 20; "
        "Đã giải quyết: 05/01 10, 12/01 11, 19/01 12, 26/01 8"
    )
    drawn = texts(figure)
    for label in WEEKS[:4]:
        assert label in drawn
    # The axis goes up to a round number above the largest value (20 -> 0, 5, ... 20).
    assert [t for t in drawn if t.isdigit()] == ["0", "5", "10", "15", "20"]
    # Two lines, each with one marker per value; a legend names both series.
    assert len(figure.findall(f".//{SVG}polyline")) == 2
    markers = [p for p in figure.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]
    assert len(markers) == 8
    assert "Tiếp nhận, 26/01: 20" in [m.find(f"{SVG}title").text for m in markers]
    legend = figure.find(".//ul")
    assert ["".join(li.itertext()).strip() for li in legend] == ["Tiếp nhận", "Đã giải quyết"]


def test_line_chart_percentages_gaps_and_clamping():
    with translation.override("vi"):
        html = line_chart(
            title="Tỷ lệ đúng hạn",
            labels=WEEKS[:5],
            series=[Series("Đúng hạn", [100, 87.5, None, 75, 130])],
            y_max=100,
            y_suffix="%",
        )
    figure = parse(html)
    drawn = texts(figure)
    assert [t for t in drawn if t.endswith("%")] == ["0%", "25%", "50%", "75%", "100%"]
    description = figure.find(f".//{SVG}desc").text
    assert "12/01 87,5%" in description
    assert "19/01 Không có số liệu" in description
    # A gap splits the line in two (the week without data is not drawn as zero).
    lines = figure.findall(f".//{SVG}polyline")
    assert len(lines) == 2
    # Values above y_max are drawn at the top of the plot, like 100%.
    first_points = lines[0].get("points").split()
    last_points = lines[1].get("points").split()
    assert first_points[0].split(",")[1] == last_points[-1].split(",")[1]


def test_line_chart_thins_dense_labels_on_phones_only():
    html = line_chart(title="12 tuần", labels=WEEKS, series=[Series("A", list(range(10)))])
    figure = parse(html)
    style = figure.find(f".//{SVG}style").text
    assert "max-width: 575.98px" in style
    minor = [t.text for t in figure.iter(f"{SVG}text") if t.get("class") == "x-minor"]
    # Every other label, and never the latest week.
    assert minor == WEEKS[-2::-2][::-1]
    # Four labels or fewer: nothing hidden.
    few = parse(line_chart(title="4 tuần", labels=WEEKS[:4], series=[Series("A", [1, 2, 3, 4])]))
    assert few.find(f".//{SVG}style") is None


def test_bar_chart_rows_carry_label_and_value():
    with translation.override("vi"):
        html = bar_chart(
            title="Tỷ lệ đúng hạn theo thủ tục",
            rows=[("Karaoke", 50.0), ("Lễ hội", 100), ("Thư viện", None), ("Quá mức", 150)],
            max_value=100,
            value_suffix="%",
        )
    figure = parse(html)
    svg = main_svg(figure)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}desc").text == (
        "Karaoke: 50%; Lễ hội: 100%; Thư viện: Không có số liệu; Quá mức: 150%"
    )
    drawn = texts(figure)
    for expected in ["Karaoke", "50%", "Lễ hội", "100%", "Thư viện", "Không có số liệu"]:
        assert expected in drawn
    # Bars are proportional, at most 80% of the width (the value is written to their right);
    # a value above max_value fills the bar without overflowing; None draws no bar.
    groups = svg.findall(f"{SVG}g")
    widths = [[r.get("width") for r in g.findall(f"{SVG}rect")] for g in groups]
    assert widths == [["80%", "40%"], ["80%", "80%"], ["80%"], ["80%", "80%"]]


def test_bar_chart_scales_to_the_largest_value_and_shortens_long_labels():
    long_label = "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke theo Nghị định 54/2019"
    figure = parse(bar_chart(title="Hồ sơ", rows=[(long_label, 30), ("Thư viện", 15)]))
    groups = main_svg(figure).findall(f"{SVG}g")
    assert [g.findall(f"{SVG}rect")[1].get("width") for g in groups] == ["80%", "40%"]
    label = groups[0].find(f"{SVG}text").text
    assert label.endswith("…") and len(label) <= 52
    # The whole label stays available to readers (tooltip and description).
    assert groups[0].find(f"{SVG}title").text == f"{long_label}: 30"
    assert long_label in figure.find(f".//{SVG}desc").text


def test_bar_chart_without_rows_says_so():
    with translation.override("en"):
        figure = parse(bar_chart(title="Empty", rows=[]))
    assert "No data for this period." in texts(figure)


def test_text_is_escaped():
    html = bar_chart(title="<b>x</b>", rows=[('<script>alert("x")</script>', 1)])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    html = line_chart(title="t", labels=["<i>"], series=[Series("<s>", [1])])
    assert "<i>" not in html and "<s>" not in html
    parse(html)


def test_same_chart_renders_the_same_bytes_and_ids_differ_between_charts():
    first = line_chart(title="A", labels=["1"], series=[Series("x", [1])])
    again = line_chart(title="A", labels=["1"], series=[Series("x", [1])])
    other = line_chart(title="B", labels=["1"], series=[Series("x", [1])])
    assert first == again
    id_of = re.compile(r'<figure[^>]* id="([^"]+)"')
    assert id_of.search(first).group(1) != id_of.search(other).group(1)
