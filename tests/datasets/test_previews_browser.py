"""A visitor explores a dataset in a real browser: table, chart and map."""

import pytest

from datasets.models import License
from tests.datasets.conftest import COLUMNS, ROWS
from tests.datasets.datastore_tables import make_version
from tests.datasets.test_catalog_browser import sign_in
from tests.factories import ResourceFactory, editor_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sort_filter_chart_and_map_on_the_dataset_page(browser_page, live_server):
    # Transactional tests flush the licenses seeded by migrations; the factory needs one.
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    resource = ResourceFactory(name_en="Facilities", dataset__name="city-facilities")
    make_version(resource, COLUMNS, ROWS)
    page = browser_page
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{live_server.url}/en/datasets/city-facilities/")
    table = page.locator(".preview-table")
    table.locator(".tabulator-row").first.wait_for()
    assert table.locator(".tabulator-row").count() == 6
    assert page.locator(".preview-total").inner_text() == "6 rows"
    first_page = page.locator(".tabulator-page[data-page='1']")
    assert first_page.get_attribute("aria-label") == "Show page 1"

    # Sort with the keyboard-friendly form: most visitors first.
    page.get_by_label("Sort by").select_option(label="人次")
    page.get_by_label("Direction").select_option("desc")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function(
        "() => document.querySelector('.preview-table .tabulator-row [tabulator-field=name]')"
        ".textContent === '松山機場'"
    )

    # Filter a column from its header.
    district_filter = page.get_by_placeholder("Filter 行政區")
    district_filter.fill("大安")
    district_filter.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('.preview-table .tabulator-row').length === 2"
    )
    assert page.locator(".preview-total").inner_text() == "2 rows"

    # Draw a chart: visitors summed per district.
    page.get_by_role("tab", name="Chart").click()
    page.get_by_label("Chart type").select_option("bar")
    page.get_by_label("X axis").select_option(label="行政區")
    page.get_by_label("Aggregate").select_option("sum")
    page.get_by_label("Y axis").select_option(label="人次")
    page.get_by_role("button", name="Draw chart").click()
    page.locator(".preview-chart svg .mark-rect path").first.wait_for()
    assert page.get_by_role("button", name="Download PNG").is_visible()
    # The chart fills the panel (it was drawn 0 px wide).
    panel_width = page.locator(".preview-chart-form").bounding_box()["width"]
    chart_width = float(page.locator(".preview-chart svg").first.get_attribute("width"))
    assert chart_width > panel_width / 2

    # The map shows the places that have coordinates (no tiles configured: plain background).
    page.get_by_role("tab", name="Map").click()
    page.locator(".preview-map[data-points]").wait_for()
    assert page.locator(".preview-map").get_attribute("data-points") == "2"
    assert "No map tiles are configured" in page.locator(".preview-map-note").inner_text()
    assert page.locator(".leaflet-marker-icon").count() >= 1
    assert errors == []


def test_chinese_page_explains_a_bad_filter_and_an_untitled_chart_in_chinese(
    browser_page, live_server
):
    # The browser asks for English (en-US) but the page is Chinese: the page's language wins.
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    resource = ResourceFactory(name_en="Facilities", dataset__name="city-facilities")
    make_version(resource, COLUMNS, ROWS)
    editor_of(resource.dataset.organization, "editor")
    page = browser_page
    sign_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/datasets/city-facilities/")
    page.locator(".preview-table .tabulator-row").first.wait_for()

    visitors_filter = page.get_by_placeholder("篩選人次")
    visitors_filter.fill("abc")
    visitors_filter.press("Enter")
    total = page.locator(".preview-total.text-danger")
    total.wait_for()
    assert total.inner_text() == "「abc」不是欄位「人次」（visitors）有效的整數。"
    visitors_filter.fill("")
    visitors_filter.press("Enter")
    page.locator(".preview-total:not(.text-danger)").wait_for()

    page.get_by_role("tab", name="圖表").click()
    page.get_by_label("X 軸").select_option(label="行政區")
    page.get_by_label("Y 軸").select_option(label="人次")
    page.get_by_role("button", name="繪製圖表").click()
    page.locator(".preview-chart svg").first.wait_for()
    # Vega's own words (its menu, the chart's description) are in Chinese too.
    chart = page.locator(".preview-chart")
    assert chart.locator("details").get_attribute("title") == "圖表動作：另存為圖片"
    assert chart.locator("[aria-roledescription='圖表']").get_attribute("aria-label") == (
        "依行政區呈現人次的圖表"
    )
    axes = chart.locator("[aria-roledescription='座標軸']")
    assert [axes.nth(i).get_attribute("aria-label") for i in range(axes.count())] == [
        "X 軸：行政區",
        "Y 軸：人次",
    ]
    assert chart.locator("[aria-roledescription='長條']").count() >= 1
    roles = chart.locator("[aria-roledescription]").evaluate_all(
        "elements => elements.map(e => e.getAttribute('aria-roledescription'))"
    )
    assert not {"visualization", "axis", "legend", "bar"} & set(roles), roles
    # Drawn again at another width, the chart keeps its words.
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width - 200, "height": page.viewport_size["height"]})
    page.wait_for_function(
        "() => [...document.querySelectorAll('.preview-chart [aria-roledescription]')]"
        ".some(e => e.getAttribute('aria-label') === 'X 軸：行政區')"
        " && !document.querySelector('.preview-chart [aria-roledescription=axis]')"
    )

    page.get_by_role("button", name="儲存圖表並顯示於資料集頁面").click()
    message = page.locator(".preview-chart-message")
    page.wait_for_function(
        "() => document.querySelector('.preview-chart-message').textContent !== ''"
    )
    assert message.inner_text() == "請為圖表命名。"
    assert not resource.saved_charts.exists()


def test_the_table_shows_times_in_the_city_s_time_zone(browser_page, live_server, settings):
    # Stored as instants: the row API answers in UTC (01:00Z), the city reads 09:00.
    settings.TIME_ZONE = "Asia/Taipei"
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    resource = ResourceFactory(name_en="Facilities", dataset__name="city-facilities")
    make_version(resource, COLUMNS, ROWS)
    page = browser_page
    page.goto(f"{live_server.url}/en/datasets/city-facilities/resources/{resource.pk}/")

    cells = page.locator(".preview-table .tabulator-row [tabulator-field=updated]")
    cells.first.wait_for()
    assert cells.nth(0).inner_text() == "2024-01-02 09:00"
    assert cells.nth(2).inner_text() == "2024-02-01 12:30"
    assert cells.nth(3).inner_text() == ""  # no value


def test_dictionary_and_report_tables_fit_a_phone_screen(browser_page, live_server):
    License.objects.get_or_create(id="CC-BY-4.0", defaults={"title": "CC BY 4.0"})
    resource = ResourceFactory(
        name_en="Counts",
        dataset__name="bike-counts",
        schema={
            "fields": [
                {
                    "name": "counting_station_identifier_in_the_national_register",
                    "title": "Station",
                    "type": "string",
                    "description": "Where the bicycles were counted.",
                }
            ]
        },
    )
    version = make_version(resource, COLUMNS, ROWS)
    version.profile = {
        "columns": {
            "updated": {
                "empty": 1,
                "distinct": 5,
                "min": "2024-01-02T01:00:00+00:00",
                "max": "2024-03-05T00:15:00+00:00",
            }
        }
    }
    version.save(update_fields=["profile"])
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})

    for path in (
        "/en/datasets/bike-counts/",
        f"/en/datasets/bike-counts/resources/{resource.pk}/",
        f"/en/resources/{resource.pk}/report/",
    ):
        page.goto(live_server.url + path)
        page.get_by_role("heading", level=1).wait_for()
        # The page itself never scrolls sideways; a wide table scrolls in its own box.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow == 0, path
