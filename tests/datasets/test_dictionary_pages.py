"""The data dictionary page: editors describe and constrain a file's columns in the browser,
the file is read again under it, and a bad entry names its column without saving."""

import html

import pytest

from datasets.models import IngestJob
from portal.models import Membership
from tests.datasets.ingest_helpers import ingest, resource_with_file
from tests.factories import OrganizationFactory, editor_of

pytestmark = pytest.mark.django_db

CSV = "代碼,區,人口,啟用日\n0101,中正區,1200,2024-01-05\n0102,大安區,3400,2024-02-01\n"


@pytest.fixture
def resource():
    resource = resource_with_file(CSV.encode(), "districts.csv")
    ingest(resource)
    return resource


def url_of(resource, language="en") -> str:
    prefix = "/en" if language == "en" else ""
    return f"{prefix}/datasets/{resource.dataset.name}/resources/{resource.id}/dictionary/"


def form_data(resource, client, **changes) -> dict:
    """What the page's form sends as it is, with `changes` ({"column-2-unit": "人"})."""
    page = client.get(url_of(resource))
    formset = page.context["formset"]
    management = formset.management_form
    data = {management.add_prefix(key): str(value) for key, value in management.initial.items()}
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name, "")
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = value
    data["missing_values"] = page.context["missing"].initial["missing_values"]
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_anonymous_is_sent_to_sign_in(client, resource):
    response = client.get(url_of(resource))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url_of(resource), {}).status_code == 302
    resource.refresh_from_db()
    assert resource.schema == {}


def test_an_editor_of_another_organization_is_refused(client, resource):
    client.force_login(editor_of(OrganizationFactory()))
    assert client.get(url_of(resource)).status_code == 403
    assert client.post(url_of(resource), {"column-TOTAL_FORMS": "0"}).status_code == 403
    resource.refresh_from_db()
    assert resource.schema == {}


def test_a_member_who_is_no_editor_is_refused(client, resource):
    client.force_login(editor_of(resource.dataset.organization, role=Membership.Role.MEMBER))
    assert client.get(url_of(resource)).status_code == 403
    assert client.post(url_of(resource), {"column-TOTAL_FORMS": "0"}).status_code == 403
    resource.refresh_from_db()
    assert resource.schema == {}


def test_a_private_datasets_page_is_not_found_for_another_organizations_editor(client, resource):
    resource.dataset.private = True
    resource.dataset.save()
    client.force_login(editor_of(OrganizationFactory()))
    assert client.get(url_of(resource)).status_code == 404
    assert client.post(url_of(resource), {"column-TOTAL_FORMS": "0"}).status_code == 404


def test_the_page_lists_the_columns_as_the_file_was_read(client, resource):
    client.force_login(editor_of(resource.dataset.organization))

    page = client.get(url_of(resource))

    assert page.status_code == 200
    forms = page.context["formset"].forms
    assert [f.initial["name"] for f in forms] == ["代碼", "區", "人口", "啟用日"]
    assert [f.initial["type"] for f in forms] == ["string", "string", "integer", "date"]
    text = " ".join(html.unescape(page.content.decode()).split())  # as the page reads
    assert "Read as whole number. Values from 1200 to 3400." in text  # what it holds
    assert "Most common: 中正區, 大安區" in text
    chinese = " ".join(client.get(url_of(resource, "zh-hant")).content.decode().split())
    assert "讀為整數。 值從 1200 到 3400。" in chinese and "最常見： 中正區、大安區" in chinese
    detail = client.get(f"/en/datasets/{resource.dataset.name}/resources/{resource.id}/")
    assert url_of(resource).encode() in detail.content  # linked for editors


def test_saving_describes_and_constrains_the_columns_and_reads_the_file_again(
    client, resource, django_capture_on_commit_callbacks
):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(
        resource,
        client,
        **{
            "column-0-title": "區碼",
            "column-0-required": "on",
            "column-0-unique": "on",
            "column-0-pattern": "[0-9]{4}",
            "column-1-enum": "中正區\n大安區\n",
            "column-2-unit": "人",
            "column-2-minimum": "0",
            "column-2-maximum": "100000",
        },
    )
    jobs = IngestJob.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of(resource), data)

    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.schema == {
        "fields": [
            {
                "name": "代碼",
                "title": "區碼",
                "type": "string",
                "constraints": {"required": True, "unique": True, "pattern": "[0-9]{4}"},
            },
            {"name": "區", "type": "string", "constraints": {"enum": ["中正區", "大安區"]}},
            {
                "name": "人口",
                "unit": "人",
                "type": "integer",
                "constraints": {"minimum": 0, "maximum": 100000},
            },
        ]
    }  # fmt: skip  (啟用日 says nothing the file does not: left out, still typed from it)
    job = IngestJob.objects.latest("created_at")
    assert IngestJob.objects.count() == jobs + 1 and job.source == "rerun"
    assert job.status == IngestJob.Status.SUCCEEDED, job.error
    assert resource.current_version.number == 2
    page = client.get(response["Location"])
    assert "The file is being read again under it" in page.content.decode()
    dictionary = page.content.decode().split("Data dictionary</h2>")[1]  # on the page
    assert "區碼" in dictionary and "<td>whole number</td>" in dictionary


def test_a_constraint_the_file_breaks_fails_the_new_reading_and_keeps_the_live_version(
    client, resource, django_capture_on_commit_callbacks
):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-2-maximum": "2000"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_of(resource), data)

    job = IngestJob.objects.latest("created_at")
    assert job.status == IngestJob.Status.FAILED
    assert "Row 3, column 3 (人口): 3400 is outside the allowed maximum 2000" in job.error
    resource.refresh_from_db()
    assert resource.current_version.number == 1
    report = client.get(f"/en/resources/{resource.id}/report/").content.decode()
    assert "These checks come from the data dictionary." in report  # and where to change it
    assert f'href="{url_of(resource)}"' in report


def test_a_file_failing_without_a_dictionary_does_not_point_to_it(client):
    resource = resource_with_file("名稱,格位\n府前,120\n市民,80,多\n".encode())
    ingest(resource)
    client.force_login(editor_of(resource.dataset.organization))

    report = client.get(f"/en/resources/{resource.id}/report/").content.decode()

    assert "Row 3 has a value in column 3" in report
    assert "These checks come from the data dictionary." not in report


@pytest.mark.parametrize(
    ("language", "changes", "field", "message"),
    [
        ("en", {"column-0-pattern": "[0-9"}, "column-0-pattern",
         "Column '代碼': the pattern is not a regular expression (a [ is not closed with ], "
         "at character 1)."),
        ("zh-hant", {"column-0-pattern": "[0-9"}, "column-0-pattern",
         "欄位「代碼」：樣式不是有效的正規表示式（有個 [ 沒有用 ] 結束（第 1 個字元））"),
        ("en", {"column-1-minimum": "3"}, "column-1-minimum",
         "Column '區': a minimum or maximum applies to numbers only."),
        ("en", {"column-2-minimum": "many"}, "column-2-minimum",
         "Column '人口': 'many' is not a number."),
        ("zh-hant", {"column-2-maximum": "99.5"}, "column-2-maximum",
         "欄位「人口」：「99.5」不是整數。"),
        ("zh-hant", {"column-2-minimum": "10", "column-2-maximum": "5"}, "column-2-maximum",
         "欄位「人口」：最大值小於最小值。"),
    ],
)  # fmt: skip
def test_a_bad_entry_names_its_column_in_the_readers_language_and_nothing_is_saved(
    client, resource, language, changes, field, message
):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-0-title": "區碼", **changes})
    jobs = IngestJob.objects.count()

    response = client.post(url_of(resource, language), data)

    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert message in content
    assert f'id="id_{field}-error"' in content  # shown under the field it is about
    resource.refresh_from_db()
    assert resource.schema == {} and IngestJob.objects.count() == jobs


@pytest.mark.parametrize(
    ("pattern", "english", "chinese"),
    [
        ("(09", "a ( is not closed with ), at character 1", "有個 ( 沒有用 ) 結束（第 1 個字元）"),
        ("09)", "a ) has no ( before it, at character 3", "有個 ) 前面沒有對應的 (（第 3 個字元）"),
        ("*09", "*, + or ? follows nothing it could repeat, at character 1",
         "*、+ 或 ? 前面沒有可以重複的東西（第 1 個字元）"),
        ("[9-0]", "the range 9-0 runs backwards, at character 2",
         "範圍 9-0 的順序顛倒了（第 2 個字元）"),
        ("\\q", "\\q is no escape a pattern knows, at character 1",
         "\\q 不是樣式認得的跳脫字元（第 1 個字元）"),
    ],
)  # fmt: skip
def test_a_pattern_mistake_is_explained_where_it_is(client, resource, pattern, english, chinese):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-0-pattern": pattern})

    for language, expected in (("en", english), ("zh-hant", chinese)):
        response = client.post(url_of(resource, language), data)

        assert response.status_code == 400
        assert expected in html.unescape(response.content.decode())
    resource.refresh_from_db()
    assert resource.schema == {}


def test_what_the_page_does_not_show_of_a_field_is_kept(client, resource):
    resource.schema = {
        "missingValues": ["", "-"],
        "fields": [
            {"name": "代碼", "type": "string", "format": "default", "title": "舊的",
             "constraints": {"maxLength": 4, "required": True}},
            {"name": "停用", "type": "boolean"},  # not in this file (yet)
        ],
    }  # fmt: skip
    resource.save()
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-0-title": "", "column-0-required": None})

    client.post(url_of(resource), data)

    resource.refresh_from_db()
    assert resource.schema == {
        "missingValues": ["", "-"],
        "fields": [
            {"name": "代碼", "type": "string", "format": "default",
             "constraints": {"maxLength": 4}},
            {"name": "停用", "type": "boolean"},
        ],
    }  # fmt: skip


def test_a_page_left_open_while_the_columns_changed_saves_nothing(client, resource):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-0-title": "區碼"})
    data["column-TOTAL_FORMS"] = "3"  # as the page was for a file of three columns

    response = client.post(url_of(resource), data, follow=True)

    assert "The file's columns changed meanwhile" in html.unescape(response.content.decode())
    resource.refresh_from_db()
    assert resource.schema == {}


def test_a_field_naming_a_column_by_its_id_is_shown_on_that_column(client, resource):
    column_id = resource.current_version.columns[2]["id"]  # 人口's safe id
    resource.schema = {"fields": [{"name": column_id, "type": "number", "unit": "人"}]}
    resource.save()
    client.force_login(editor_of(resource.dataset.organization))

    forms = client.get(url_of(resource)).context["formset"].forms

    assert len(forms) == 4
    assert (forms[2].initial["name"], forms[2].initial["type"], forms[2].initial["unit"]) == (
        "人口", "number", "人"
    )  # fmt: skip


def test_values_that_mean_no_value_are_set_for_the_file(client, django_capture_on_commit_callbacks):
    data = "區,人口\n中正區,1200\n大安區,不詳\n信義區,3400\n"
    resource = resource_with_file(data.encode(), "people.csv")
    ingest(resource)
    assert resource.current_version.columns[1]["type"] == "text"  # 不詳 is no number
    # (with 10 numbers before it, the report would say where to list it: see the next test)
    client.force_login(editor_of(resource.dataset.organization))
    shown = client.get(url_of(resource)).context["missing"].initial["missing_values"]
    assert shown.splitlines() == [
        "N/A",
        "n/a",
        "NA",
        "-",
        "NULL",
        "null",
        "None",
        "#N/A",
        "無",
        "－",
    ]  # fmt: skip  (the site's, the empty cell aside)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_of(resource), form_data(resource, client, missing_values="-\n不詳\n"))

    resource.refresh_from_db()
    assert resource.schema == {"missingValues": ["", "-", "不詳"]}
    version = resource.current_version
    assert version.number == 2 and version.columns[1]["type"] == "integer"
    assert version.profile["columns"][version.columns[1]["id"]]["empty"] == 1


def test_a_word_that_turned_a_column_into_text_is_suggested_as_meaning_no_value():
    rows = "".join(f"{i},{1000 + i}\n" for i in range(12)) + "12,不詳\n"
    resource = resource_with_file(f"編號,人口\n{rows}".encode(), "people.csv")

    job = ingest(resource)

    [hint] = [w for w in job.version.report["warnings"] if w["code"] == "type-fallback"]
    assert "'不詳' is not a whole number" in hint["message"]
    assert "if it means no value, add it to the values that mean 'no value'" in hint["message"]
    assert "若它代表無資料" in hint["translations"]["zh-hant"]


def test_labels_descriptions_and_units_alone_are_saved_without_reading_the_file_again(
    client, resource, django_capture_on_commit_callbacks
):
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(
        resource, client, **{"column-2-title": "Population", "column-2-unit": "people"}
    )
    jobs = IngestJob.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_of(resource), data, follow=True)

    assert "Data dictionary saved." in response.content.decode()
    assert "read again" not in response.content.decode()
    assert IngestJob.objects.count() == jobs
    resource.refresh_from_db()
    version = resource.current_version
    assert version.number == 1  # the same version, its column described
    assert (version.columns[2]["title"], version.columns[2]["unit"]) == ("Population", "people")
    api = client.get(f"/api/v1/resources/{resource.id}/data/?limit=1").json()
    assert "Population" in [f["label"] for f in api["fields"]]

    # A type is checked on every value: changing it reads the file again.
    data = form_data(resource, client, **{"column-2-type": "number"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_of(resource), data)
    resource.refresh_from_db()
    assert IngestJob.objects.count() == jobs + 1 and resource.current_version.number == 2
    column = resource.current_version.columns[2]
    assert (column["type"], column["title"]) == ("number", "Population")


def test_bad_entries_are_listed_above_the_columns_with_links_to_them(client, resource):
    # A file of thirty columns puts an error far down the page: the list above names it.
    client.force_login(editor_of(resource.dataset.organization))
    data = form_data(resource, client, **{"column-2-minimum": "many"})

    response = client.post(url_of(resource, "zh-hant"), data)

    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    start = content.index('id="error-summary"')
    summary = content[start : content.index("</div>", start)]
    assert "未儲存任何內容，請修正：" in summary
    assert '<a href="#id_column-2-minimum">人口，最小值：' in summary
    assert "欄位「人口」" in summary
