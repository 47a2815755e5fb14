"""The preview panel and saved charts, as a visitor and a publisher meet them."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from datasets.datastore.preview import dataset_preview_section
from datasets.models import ResourceVersion
from tests.datasets.datastore_tables import make_version
from tests.factories import MembershipFactory, ResourceFactory, UserFactory


def render_preview(resource, user=None, language="en"):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    with translation.override(language):
        return render_to_string(
            "datasets/_preview.html", {"resource": resource, "request": request}, request=request
        )


def config_of(html):
    start = html.index('-config" type="application/json">') + len(
        '-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_panel_offers_table_chart_map_glance_and_snippets(facilities, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = render_preview(facilities)
    for tab in ("Table", "Chart", "Map", "Data at a glance", "Use this data"):
        assert f">{tab}</button>" in html
    config = config_of(html)
    assert config["dataUrl"] == f"/api/v1/resources/{facilities.pk}/data/"
    assert config["geo"] == {"geometry": None, "latitude": "lat", "longitude": "lon"}
    assert config["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert [f["label"] for f in config["fields"]][:3] == ["_id", "名稱", "行政區"]
    assert (
        f"curl &quot;http://testserver/api/v1/resources/{facilities.pk}/data/?limit=5&quot;" in html
    )
    assert "requests.get(" in html and "fetch(" in html and "fromJSON(" in html
    assert "?format=geojson" in html and "?format=parquet" in html
    assert "6 rows in 9 columns (version 1)." in html
    assert "Previewed 0 times, downloaded 0 times." in html


def test_glance_and_pager_speak_the_readers_language(facilities):
    english = render_preview(facilities)
    chinese = render_preview(facilities, language="zh-hant")

    # Column types as the report names them, not the internal codes.
    assert "<td>whole number</td>" in english and "<td>integer</td>" not in english
    assert "<td>整數</td>" in chinese and "<td>text</td>" not in chinese
    assert 'data-page-title="Show page"' in english
    assert 'data-page-title="前往頁面"' in chinese


def test_panel_without_coordinates_has_no_map(db):
    resource = ResourceFactory()
    make_version(resource, [("n", "integer", "n")], [(1,)])
    html = render_preview(resource)
    assert ">Map</button>" not in html
    assert "format=geojson" not in html
    assert "leaflet.js" not in html


def test_panel_is_bilingual(facilities):
    html = render_preview(facilities, language="zh-hant")
    assert ">表格</button>" in html and ">資料概覽</button>" in html
    assert config_of(html)["strings"]["next"] == "下一頁"


def test_no_panel_without_data_or_while_personal_data_is_checked(facilities):
    assert render_preview(ResourceFactory()).strip() == ""
    ResourceVersion.objects.filter(pk=facilities.current_version_id).update(personal_data="flagged")
    facilities.refresh_from_db()
    assert render_preview(facilities).strip() == ""
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    assert "data-preview" in render_preview(facilities, user=editor)


def test_glance_shows_the_profile(facilities):
    version = facilities.current_version
    version.profile = {
        "columns": {
            "visitors": {"empty": 1, "distinct": 5, "min": 700, "max": 5000, "mean": 2140},
            "district": {"top": [{"value": "大安區", "count": 2}, {"value": "信義區", "count": 2}]},
        }
    }
    version.save()
    html = render_preview(facilities)
    assert "<td>700</td><td>5000</td>" in html
    assert "2140.00" in html
    assert "大安區, 信義區" in html
    assert "大安區、信義區" in render_preview(facilities, language="zh-hant")


def test_glance_groups_the_thousands_in_both_languages(facilities):
    version = facilities.current_version
    version.row_count = 1234567
    version.profile = {"columns": {"visitors": {"empty": 12345, "distinct": 1000000}}}
    version.save()

    english = render_preview(facilities)
    chinese = render_preview(facilities, language="zh-hant")

    assert "1,234,567 rows in 9 columns (version 1)." in english
    assert "共 1,234,567 筆、9 個欄位（第 1 版）。" in chinese
    assert "<td>12,345</td><td>1,000,000</td>" in english
    assert "<td>12,345</td><td>1,000,000</td>" in chinese


def test_sort_choices_are_the_columns_people_see(facilities):
    html = render_preview(facilities)
    start = html.index('name="sort">')
    choices = html[start : html.index("</select>", start)]
    assert ">File order</option>" in choices and ">人次</option>" in choices
    assert '"_id"' not in choices


@pytest.mark.parametrize(
    ("language", "one", "many", "map_one"),
    [
        ("en", "%(total)s row", "%(total)s rows", "%(count)s place on the map."),
        ("zh-hant", "共 %(total)s 筆", "共 %(total)s 筆", "地圖上有 %(count)s 個地點。"),
    ],
)
def test_counts_read_right_for_one_and_many(facilities, language, one, many, map_one):
    strings = config_of(render_preview(facilities, language=language))["strings"]
    assert (strings["rowsOne"], strings["rows"], strings["mapPointsOne"]) == (one, many, map_one)


def test_chart_menu_and_descriptions_are_in_the_readers_language(facilities):
    strings = config_of(render_preview(facilities, language="zh-hant"))["strings"]
    assert strings["savePng"] == "另存為 PNG" and strings["chartActions"] == "圖表動作：另存為圖片"
    assert strings["chartDescription"] == "依%(x)s呈現%(y)s的圖表"


def test_other_files_are_listed_in_the_readers_language(facilities):
    for name in ("stats.xlsx", "semi.csv"):
        other = ResourceFactory(dataset=facilities.dataset, name_zh_hant=name, name_en=name)
        make_version(other, [("n", "integer", "n")], [(1,)])
    request = RequestFactory().get("/")
    request.user = UserFactory()
    section = dataset_preview_section(request, facilities.dataset)
    with translation.override("zh-hant"):
        html = render_to_string(section.template, {"section": section.context}, request=request)
    assert "</a>、<a" in html and "</a>, <a" not in html


def test_dataset_section_previews_the_first_resource_with_data(facilities):
    empty = ResourceFactory(dataset=facilities.dataset, position=0)
    facilities.position = 1
    facilities.save()
    section = dataset_preview_section(RequestFactory().get("/"), facilities.dataset)
    assert section.context["resource"] == facilities
    assert empty not in section.context["others"]
    other = ResourceFactory()
    assert dataset_preview_section(RequestFactory().get("/"), other.dataset) is None


def charts_url(resource):
    return f"/api/v1/resources/{resource.pk}/charts/"


CHART = {
    "title": "各區人次",
    "config": {"mark": "bar", "x": "district", "y": "visitors", "aggregate": "sum"},
}


def test_editor_saves_a_chart_everyone_sees(api_client, facilities):
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    response = api_client.post(charts_url(facilities), CHART, format="json")
    assert response.status_code == 201
    assert response.json()["config"] == {**CHART["config"], "color": ""}
    api_client.force_authenticate(None)
    listed = api_client.get(charts_url(facilities)).json()
    assert [c["title"] for c in listed] == ["各區人次"]
    assert config_of(render_preview(facilities))["charts"][0]["title"] == "各區人次"


@pytest.mark.parametrize("role", [None, "member", "other-org-admin"])
def test_only_editors_save_charts(api_client, facilities, role):
    if role == "member":
        api_client.force_authenticate(
            MembershipFactory(organization=facilities.dataset.organization, role="member").user
        )
    elif role == "other-org-admin":
        api_client.force_authenticate(MembershipFactory(role="admin").user)
    response = api_client.post(charts_url(facilities), CHART, format="json")
    assert response.status_code in (401, 403)
    assert not facilities.saved_charts.exists()


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"mark": "bar", "x": "nosuch", "y": "visitors"}, "nosuch"),
        ({"mark": "radar", "x": "district", "y": "visitors"}, "radar"),
        ({"mark": "bar", "x": "district", "y": "visitors", "aggregate": "var"}, "var"),
        ({"mark": "bar", "x": "district"}, "y"),
    ],
)
def test_bad_chart_settings_are_refused_by_name(api_client, facilities, config, words):
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    response = api_client.post(
        charts_url(facilities), {"title": "t", "config": config}, format="json"
    )
    assert response.status_code == 400
    assert words in json.dumps(response.json(), ensure_ascii=False)
    assert not facilities.saved_charts.exists()


@pytest.mark.parametrize(
    ("title", "language", "message"),
    [
        ("", "zh-hant", "請為圖表命名。"),
        ("  ", "en", "Give the chart a title."),
        ("長" * 201, "zh-hant", "標題請在 200 字以內。"),
    ],
)
def test_a_refused_title_says_it_is_the_title(api_client, facilities, title, language, message):
    # The chart builder shows the first message alone, without the field's name.
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    response = api_client.post(
        charts_url(facilities),
        {**CHART, "title": title},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response.json() == {"title": [message]}
    assert not facilities.saved_charts.exists()


def test_editor_removes_a_chart_and_outsiders_cannot(api_client, facilities):
    editor = MembershipFactory(organization=facilities.dataset.organization, role="editor").user
    api_client.force_authenticate(editor)
    chart_id = api_client.post(charts_url(facilities), CHART, format="json").json()["id"]
    api_client.force_authenticate(UserFactory())
    assert api_client.delete(f"{charts_url(facilities)}{chart_id}/").status_code == 403
    api_client.force_authenticate(editor)
    assert api_client.delete(f"{charts_url(facilities)}{chart_id}/").status_code == 204
    assert not facilities.saved_charts.exists()


def test_charts_of_private_datasets_are_invisible(api_client, facilities):
    facilities.dataset.private = True
    facilities.dataset.save()
    assert api_client.get(charts_url(facilities)).status_code == 404


def test_dataset_and_resource_pages_carry_the_preview(client, facilities):
    dataset = facilities.dataset
    page = client.get(f"/en/datasets/{dataset.name}/")
    assert page.status_code == 200
    assert b"Explore the data" in page.content
    assert b'class="data-preview' in page.content
    page = client.get(f"/en/datasets/{dataset.name}/resources/{facilities.pk}/")
    assert page.status_code == 200
    assert b'class="data-preview' in page.content


def test_view_beacon_from_the_dataset_page_counts_the_dataset(api_client, facilities):
    url = f"/api/v1/resources/{facilities.pk}/views/?dataset=1"
    api_client.post(url, HTTP_USER_AGENT="Mozilla/5.0 Firefox/130")
    facilities.dataset.refresh_from_db()
    assert facilities.dataset.view_count == 1


def test_glance_shows_the_empty_and_distinct_counts_the_ingestion_made(db, monkeypatch):
    """The figures as ingestion profiles them, not a hand-made profile: the Empty column
    said "—" for every column, as the glance looked for a key the profile never has."""
    from datasets.ingest import columnar, profile
    from tests.datasets.ingest_helpers import ingest_bytes

    for module in (columnar, profile):  # count at most three distinct values
        monkeypatch.setattr(module, "caps", lambda width: (3, 3))
    rows = "".join(f"{n},{'' if n % 4 == 0 else 'a'}\n" for n in range(1, 9))
    _job, resource = ingest_bytes(("編號,備註\n" + rows).encode(), "notes.csv")

    html = render_preview(resource)

    start = html.index('<th scope="row">編號')
    number = html[start : html.index("</tr>", start)]
    start = html.index('<th scope="row">備註')
    note = html[start : html.index("</tr>", start)]
    assert "<td>0</td><td>3+</td>" in number  # eight values, more than the three counted
    assert "<td>2</td><td>1</td>" in note  # rows 4 and 8 empty; one value otherwise
