"""Catalog, dataset and resource pages, downloads, sitemap, home and organization sections."""

import html
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from datasets.models import Dataset, Resource, Theme
from tests.factories import ResourceFactory, indexed_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(org):
    """A draft and a private published dataset, each with an uploaded file."""
    draft = indexed_dataset(
        name="draft-bus",
        title_en="Secret bus plan",
        organization=org,
        status="draft",
        tags=["secret-tag"],
    )
    private = indexed_dataset(
        name="private-bus",
        title_en="Private bus data",
        organization=org,
        private=True,
        tags=["secret-tag"],
    )
    for dataset in (draft, private):
        resource = ResourceFactory(dataset=dataset, format="CSV")
        resource.file.save("x.csv", ContentFile(b"a,b\n1,2\n"))
    indexed_dataset(name="public-bus", title_en="Public bus stops", organization=org)
    return [draft, private]


def _api(user):
    client = APIClient()
    if user is not None:
        _token, key = AuthToken.objects.create(user=user, expiry=None)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("who", ["anonymous", "citizen", "outsider", "member", "editor", "admin"])
def test_drafts_and_private_datasets_are_visible_only_inside_the_organization(
    request, client, hidden, who
):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    if user:
        client.force_login(user)
    insider = who in ("member", "editor", "admin")
    expected = 200 if insider else 404
    api = _api(user)
    for dataset in hidden:
        resource = dataset.resources.get()
        assert client.get(f"/en/datasets/{dataset.name}/").status_code == expected
        assert client.get(f"/en/datasets/{dataset.name}/resources/{resource.id}/").status_code == (
            expected
        )
        download = client.get(f"/en/datasets/{dataset.name}/resources/{resource.id}/download/")
        assert download.status_code == expected
        assert api.get(f"/api/v1/datasets/{dataset.name}/").status_code == expected
        assert api.get(f"/api/v1/resources/{resource.id}/").status_code == expected

    catalog = client.get("/en/datasets/", {"q": "bus"}).content.decode()
    assert ("Secret bus plan" in catalog) is insider
    assert ("secret-tag" in catalog) is insider  # facet values leak nothing either
    listed = api.get("/api/v1/datasets/", {"q": "bus"}).json()
    assert listed["count"] == (3 if insider else 1)
    tag_values = {f["value"] for f in listed["facets"]["tag"]}
    assert ("secret-tag" in tag_values) is insider
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "public-bus" in sitemap
    assert "draft-bus" not in sitemap and "private-bus" not in sitemap


def test_download_streams_the_file_and_counts_it(client, org):
    dataset = indexed_dataset(name="stops", organization=org)
    resource = ResourceFactory(dataset=dataset)
    resource.file.save("stops.csv", ContentFile("站名\n市府\n".encode()))
    response = client.get(f"/datasets/stops/resources/{resource.id}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "站名\n市府\n"
    assert "attachment" in response["Content-Disposition"]
    assert Dataset.objects.get(pk=dataset.pk).download_count == 1


def test_dataset_page_shows_summary_facts_resources_and_dictionary(client, org):
    dataset = indexed_dataset(
        name="bus",
        title_en="Bus routes",
        summary_en="Where every bus stops.",
        organization=org,
        themes=[Theme.objects.get(slug="transportation")],
        tags=["bus"],
    )
    ResourceFactory(
        dataset=dataset,
        name_en="Stops",
        format="CSV",
        schema={"fields": [{"name": "stop_name", "title": "Stop", "type": "string"}]},
    )
    ResourceFactory(dataset=dataset, name_en="Small", size=67)
    page = client.get("/en/datasets/bus/").content.decode()
    chinese = client.get("/datasets/bus/").content.decode()
    # Sizes and the data's language in words, in the reader's language.
    assert "(67\xa0bytes)" in page and "(67\xa0位元組)" in chinese
    assert "<td>Traditional Chinese</td>" in page and "<td>繁體中文</td>" in chinese
    for text in (
        "Bus routes",
        "Where every bus stops.",
        "Transport",
        "Stops",
        "stop_name",
        "Data updated",
        "Metadata updated",
        "Creative Commons",
        "Transportation",
    ):
        assert text in page, text


@pytest.mark.parametrize(
    "contact, shown",
    [
        ({"contact_phone": "02-2720-8889"}, ["02-2720-8889"]),
        ({"contact_email": "bus@example.org"}, ['href="mailto:bus@example.org"']),
        (
            {"contact_name": "Bus desk", "contact_phone": "1999"},
            ['<span class="d-block">Bus desk</span>', '<span class="d-block">1999</span>'],
        ),
    ],
)
def test_dataset_page_shows_whatever_contact_details_it_has(client, org, contact, shown):
    indexed_dataset(name="bus", organization=org, **contact)

    page = client.get("/en/datasets/bus/").content.decode()

    assert "<dt>Contact</dt>" in page
    contact_html = page.split('id="dataset-contact">', 1)[1].split("</dd>", 1)[0]
    for text in shown:
        assert text in contact_html


def test_dataset_page_without_contact_details_has_no_contact(client, org):
    indexed_dataset(name="bus", organization=org)
    assert "<dt>Contact</dt>" not in client.get("/en/datasets/bus/").content.decode()


def test_markdown_description_is_rendered_and_sanitised(client, org):
    indexed_dataset(
        name="xss",
        organization=org,
        description_en=(
            "## Columns\n\n**bold** [ok](https://example.org)\n\n"
            "<script>alert(1)</script><img src=x onerror=alert(2)>"
            '[bad](javascript:alert(3)) <a href="javascript:alert(4)">x</a>'
            '<p onclick="alert(5)">p</p>'
        ),
    )
    page = client.get("/en/datasets/xss/").content.decode()
    description = page.split('class="mb-4 dataset-description"')[1].split("</section>")[0]
    assert "<h4>Columns</h4>" in description  # under the page's "Description" (h2)
    assert "<strong>bold</strong>" in description
    assert 'href="https://example.org"' in description
    for bad in ("<script", "onerror", 'href="javascript:', "onclick", "<img"):
        assert bad not in description, bad


def test_catalog_page_searches_filters_and_answers_htmx_with_the_results_only(client, org):
    transport = Theme.objects.get(slug="transportation")
    indexed_dataset(
        name="bus",
        title_zh_hant="臺北市公車路線",
        title_en="Bus routes",
        organization=org,
        themes=[transport],
    )
    indexed_dataset(name="parks", title_zh_hant="公園", title_en="Parks", organization=org)

    page = client.get("/datasets/", {"q": "公車"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "臺北市公車路線" in html and "公園" not in html.split("catalog-results")[1]
    english = client.get("/en/datasets/", {"theme": "transportation"}).content.decode()
    assert "Bus routes" in english and "Parks</a>" not in english

    fragment = client.get(
        "/en/datasets/", {"q": "bus"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="catalog-results"
    ).content.decode()
    assert "<html" not in fragment
    assert "Bus routes" in fragment


@pytest.mark.parametrize(
    "facet", ["organization", "theme", "tag", "format", "license", "frequency"]
)
def test_catalog_page_filter_holding_a_nul_character_finds_nothing(client, org, facet):
    # PostgreSQL refuses NUL in a query: the page was a 500 there.
    indexed_dataset(name="bus", title_en="Bus routes", organization=org, tags=["bus"])
    page = client.get("/en/datasets/", {facet: "bus\x00"})
    assert page.status_code == 200
    assert "Bus routes" not in page.content.decode()


def test_catalog_search_keeps_the_facets_picked_and_ranks_a_new_query_by_relevance(client, org):
    # A facet link swaps the results only: the form's filters come with them (out of band).
    fragment = client.get(
        "/en/datasets/",
        {"theme": "transportation"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="catalog-results",
    ).content.decode()
    assert '<div id="catalog-filters" hx-swap-oob="true">' in fragment
    assert '<input type="hidden" name="theme" value="transportation">' in fragment
    # The landing page: no sort chosen, so a query typed there is ranked by relevance.
    landing = client.get("/en/datasets/").content.decode()
    assert '<option value="relevance" selected>' in landing
    assert '<option value="updated" selected>' not in landing
    assert "hx-swap-oob" not in landing
    chosen = client.get("/en/datasets/", {"sort": "updated"}).content.decode()
    assert '<option value="updated" selected>' in chosen


def test_catalog_page_query_count_does_not_grow_with_results(client, org):
    theme = Theme.objects.get(slug="transportation")

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/en/datasets/", {"q": "bus"}).status_code == 200
        return len(ctx)

    indexed_dataset(title_en="Bus 0", organization=org, themes=[theme], tags=["t"])
    few = count_queries()
    for i in range(10):
        dataset = indexed_dataset(
            title_en=f"Bus {i + 1}", organization=org, themes=[theme], tags=[f"t{i}"]
        )
        ResourceFactory(dataset=dataset)
    assert count_queries() == few


def test_home_and_organization_pages_list_datasets(client, org):
    theme = Theme.objects.get(slug="transportation")
    indexed_dataset(title_en="Bus routes", organization=org, themes=[theme])
    indexed_dataset(title_en="Hidden draft", organization=org, status="draft")
    home = client.get("/en/").content.decode()
    assert "Bus routes" in home and "Recently updated" in home and "Most viewed" in home
    assert "Transportation" in home
    assert "Hidden draft" not in home
    org_page = client.get(f"/en/organizations/{org.slug}/").content.decode()
    assert "Bus routes" in org_page and "Hidden draft" not in org_page


def test_editor_creates_a_dataset_and_adds_a_file_through_the_pages(client, org, editor):
    client.force_login(editor)
    response = client.post(
        "/en/datasets/new/",
        {
            "organization": org.slug,
            "name": "noise",
            "title_zh_hant": "噪音監測",
            "title_en": "Noise",
            "summary_en": "Noise levels by hour.",
            "license": "CC0-1.0",
            "update_frequency": "DAILY",
            "themes": ["environment"],
            "tags": "noise, 噪音",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    dataset = Dataset.objects.get(name="noise")
    assert dataset.status == "draft" and dataset.organization == org
    upload = SimpleUploadedFile("noise.csv", b"hour,db\n1,60\n")
    response = client.post("/en/datasets/noise/resources/new/", {"file": upload})
    assert response.status_code == 302
    assert Resource.objects.get(dataset=dataset).format == "CSV"
    assert "Noise" in client.get("/en/workspace/datasets/").content.decode()


def test_dataset_form_names_the_bad_field(client, org, editor):
    client.force_login(editor)
    response = client.post(
        "/en/datasets/new/",
        {
            "organization": org.slug,
            "name": "Bad Name",
            "title_en": "x",
            "license": "CC0-1.0",
            "update_frequency": "DAILY",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "name" in errors and "summary_zh_hant" in errors
    assert not Dataset.objects.exists()
    # Screen readers reach the help text and the error from the field.
    html = response.content.decode()
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert '<div class="form-text" id="id_name_helptext">' in html
    assert 'id="id_name_error" role="alert"' in html


def test_dataset_form_reports_all_its_problems_in_one_round(client, org, editor):
    indexed_dataset(name="noise", organization=org)
    client.force_login(editor)
    form = {
        "organization": org.slug,
        "title_en": "Noise",
        "summary_en": "Noise levels.",
        "license": "CC0-1.0",
        "update_frequency": "DAILY",
        "temporal_start": "2024-05-01",
        "temporal_end": "2023-01-01",
    }

    bad_name = client.post("/en/datasets/new/", {**form, "name": "Bad Name!", "contact_email": "x"})
    taken = client.post("/datasets/new/", {**form, "name": "noise"})

    assert set(bad_name.context["form"].errors) == {"name", "contact_email", "temporal_end"}
    assert "The end of the period covered is before its start." in bad_name.content.decode()
    assert taken.status_code == 200
    page = html.unescape(taken.content.decode())
    assert "已有使用此代稱的資料集。" in page and "資料結束日早於起始日。" in page
    assert Dataset.objects.filter(name="noise").count() == 1


def test_an_invalid_link_is_told_only_that_it_is_invalid(client, org, editor):
    indexed_dataset(name="noise", organization=org, status="draft")
    client.force_login(editor)

    response = client.post("/en/datasets/noise/resources/new/", {"url": "not a url"})
    neither = client.post("/en/datasets/noise/resources/new/", {"name_en": "x"})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Enter a valid URL." in page
    assert "not both or neither" not in page
    assert "not both or neither" in html.unescape(neither.content.decode())
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("/en", "The workbook is protected with a password, so it cannot be read."),
        ("", "這個活頁簿設有密碼保護，因此無法讀取。"),
    ],
)
def test_a_password_protected_workbook_is_refused_at_upload_saying_so(
    client, org, editor, prefix, expected
):
    # Excel encrypts a workbook into an OLE file: its bytes are no XLSX (a ZIP), and the
    # form used to call that a file whose content does not match its extension.
    indexed_dataset(name="noise", organization=org, status="draft")
    client.force_login(editor)
    data = (Path(__file__).parent / "files" / "password-protected.xlsx").read_bytes()
    upload = SimpleUploadedFile("noise.xlsx", data)

    response = client.post(f"{prefix}/datasets/noise/resources/new/", {"file": upload})

    assert response.status_code == 400
    assert expected in html.unescape(response.content.decode())
    assert not Resource.objects.exists()


def test_oversized_upload_page_answers_413_naming_the_limit(client, org, editor, settings):
    settings.MAX_UPLOAD_SIZE = 100
    indexed_dataset(name="noise", organization=org, status="draft")
    client.force_login(editor)
    upload = SimpleUploadedFile("noise.csv", b"hour,db\n" + b"1,60\n" * 100)
    response = client.post("/en/datasets/noise/resources/new/", {"file": upload})
    assert response.status_code == 413
    assert "100\xa0bytes" in response.content.decode()
    assert not Resource.objects.exists()


def test_members_and_outsiders_cannot_open_the_workspace_forms(client, org, member, outsider):
    indexed_dataset(name="noise", organization=org)
    for user in (member, outsider):
        client.force_login(user)
        assert client.get("/en/datasets/noise/edit/").status_code == 403
        assert client.get("/en/datasets/noise/resources/new/").status_code == 403
    client.force_login(member)  # the outsider may create datasets for their own org only
    assert client.get("/en/datasets/new/").status_code == 403


def test_demo_catalog_is_bilingual_published_and_idempotent():
    from django.core.management import call_command

    call_command("demo")
    call_command("demo")
    published = Dataset.objects.published()
    assert published.count() >= 30
    assert not published.filter(title_en="").exists()
    assert not published.filter(summary_zh_hant="").exists()
    assert Dataset.objects.filter(status="draft").exists()
    assert published.values("organization").distinct().count() >= 6
    assert Resource.objects.filter(format="CSV").count() == Resource.objects.count() >= 5
    bus = Resource.objects.get(dataset__name="taipei-bus-routes")
    assert "莒光線" in bus.file.read().decode()


def test_staff_can_manage_the_catalog_in_the_admin(client, org):
    from tests.factories import UserFactory

    indexed_dataset(name="bus", organization=org)
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for path in ("/admin/datasets/dataset/", "/admin/datasets/resource/", "/admin/datasets/theme/"):
        assert client.get(path).status_code == 200, path
    dataset = Dataset.objects.get(name="bus")
    assert client.get(f"/admin/datasets/dataset/{dataset.pk}/change/").status_code == 200


def test_search_results_show_each_format_once(client, org):
    dataset = indexed_dataset(name="bus-stops", title_en="Bus stops", organization=org)
    for fmt in ("CSV", "XLSX", "CSV", "XLSX", "CSV"):
        ResourceFactory(dataset=dataset, format=fmt)

    page = client.get("/en/datasets/").content.decode()

    assert page.count('<span class="badge text-bg-info">CSV</span>') == 1
    assert page.count('<span class="badge text-bg-info">XLSX</span>') == 1


def test_workspace_shows_members_their_datasets_read_only_and_no_new_dataset_button(
    client, org, editor, member, outsider, citizen
):
    indexed_dataset(name="noise", organization=org, title_en="Noise", status="draft")
    indexed_dataset(name="kaohsiung-bus", organization=outsider.memberships.get().organization)

    client.force_login(member)
    page = client.get("/en/workspace/datasets/").content.decode()
    assert "Noise" in page and "No datasets yet." not in page
    assert "Read only" in page
    assert "New dataset" not in page and 'href="/en/datasets/new/"' not in page
    assert "kaohsiung" not in page

    client.force_login(citizen)  # no organization at all
    page = client.get("/en/workspace/datasets/").content.decode()
    assert "New dataset" not in page and "No datasets yet." in page

    client.force_login(editor)
    page = client.get("/en/workspace/datasets/").content.decode()
    assert "New dataset" in page and "Noise" in page and "Read only" not in page

    client.logout()
    assert client.get("/en/workspace/datasets/").status_code == 302


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ftp://files.example.org/a.csv", "Only http and https links can be fetched."),
        ("http://localhost:8000/a.csv", "internal or private network addresses"),
        ("http://127.0.0.1/a.csv", "addresses are not allowed (127.0.0.1)."),
        ("http://10.1.2.3/a.csv", "internal or private network addresses"),
        ("http://169.254.169.254/latest/meta-data/", "internal or private network addresses"),
        ("http://[::1]/a.csv", "internal or private network addresses"),
    ],
)
def test_a_link_to_an_internal_address_is_refused_by_the_form(client, org, editor, url, expected):
    indexed_dataset(name="noise", organization=org, status="draft")
    client.force_login(editor)

    response = client.post("/en/datasets/noise/resources/new/", {"url": url})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert expected in page and "being processed" not in page
    assert not Resource.objects.exists()


def test_filters_that_leave_no_results_stay_listed_so_they_can_be_removed(client, org):
    transport = Theme.objects.get(slug="transportation")
    health = Theme.objects.get(slug="health")
    indexed_dataset(title_en="Bus routes", organization=org, themes=[transport], tags=["bus"])
    indexed_dataset(title_en="Clinics", organization=org, themes=[health])

    # Both themes at once match nothing: each must still be shown, picked, with its count.
    page = client.get(
        "/en/datasets/", {"q": "bus", "theme": ["transportation", "health"], "tag": "nope"}
    )

    body = page.content.decode()
    assert "0 datasets found" in body
    for label, href in [
        ("Transportation", "?q=bus&amp;theme=health&amp;tag=nope"),
        ("Health", "?q=bus&amp;theme=transportation&amp;tag=nope"),
        ("nope", "?q=bus&amp;theme=transportation&amp;theme=health"),
    ]:
        link = f'href="/en/datasets/{href}"'
        # Once among the buttons that remove the filters picked (phones), once in its facet.
        chips, facets = body.split('id="catalog-facets"', 1)
        assert link in chips and link in facets, label
        after = facets.split(link, 1)[1]
        assert after.split("</a>", 1)[0].endswith(f"✓ {label}")
        assert after.split('facet-count">', 1)[1].startswith("0<")


def test_a_format_typed_in_small_letters_is_the_format_facet_picked(client, org):
    ResourceFactory(dataset=indexed_dataset(title_en="Bus routes", organization=org), format="CSV")

    body = client.get("/en/datasets/", {"format": "csv"}).content.decode()

    assert "1 dataset found" in body
    facet = body.split('data-facet="format"', 1)[1].split("</section>", 1)[0]
    assert facet.count("<li>") == 1
    assert 'href="/en/datasets/?"' in facet and "✓ CSV</a>" in facet


def test_headings_in_a_description_sit_below_the_page_s_own(client, org):
    indexed_dataset(
        name="parks",
        organization=org,
        description_en="# About this data\n\n## Columns\n\n<h1>Raw</h1>\n\n###### Small",
    )

    page = client.get("/en/datasets/parks/").content.decode()

    # One h1, the dataset's title; the publisher's headings come under "Description" (h2).
    assert page.count("<h1") == 1
    description = page.split('class="mb-4 dataset-description"')[1].split("</section>")[0]
    assert "<h3>About this data</h3>" in description
    assert "<h4>Columns</h4>" in description
    assert "<h3>Raw</h3>" in description
    assert "<h6>Small</h6>" in description


def test_organization_page_counts_and_lists_what_its_catalog_link_shows(client, org):
    for number in range(20):
        indexed_dataset(name=f"bus-{number}", title_en=f"Bus {number}", organization=org)
    indexed_dataset(name="old-tram", title_en="Old tram lines", organization=org, status="archived")

    page = client.get(f"/en/organizations/{org.slug}/").content.decode()
    catalog = client.get("/en/datasets/", {"organization": org.slug}).content.decode()

    assert "20 datasets found" in catalog and "Old tram lines" not in catalog
    listed, archived = page.split('id="org-archived-datasets"', 1)
    assert "20 datasets in the catalog" in listed
    assert listed.count('href="/en/datasets/bus-') == 20
    # All twenty are on the page: no link promising more.
    assert "All datasets of this publisher" not in page
    # The archived one is still reachable, apart and labelled, outside the count.
    assert "Old tram lines" not in listed
    assert "1 archived dataset" in archived and 'href="/en/datasets/old-tram/"' in archived


def test_organization_page_with_only_archived_datasets_says_so(client, org):
    indexed_dataset(name="old-tram", title_en="Old tram lines", organization=org, status="archived")

    page = client.get(f"/en/organizations/{org.slug}/").content.decode()

    assert "in the catalog" not in page and "No datasets yet." not in page
    assert "1 archived dataset" in page and "Old tram lines" in page


def _tag_facet(page: str) -> list[str]:
    facet = page.split('data-facet="tag"', 1)[1].split("</section>", 1)[0]
    return [
        html.unescape(link.split(">", 1)[1].split("</a>", 1)[0]).removeprefix("✓ ")
        for link in facet.split("<a ")[1:]
    ]


def test_tag_facet_lists_the_tags_in_the_pages_language_first(client, org):
    indexed_dataset(name="bus-1", organization=org, tags=["bus", "公車", "YouBike"])
    indexed_dataset(name="bus-2", organization=org, tags=["bus", "transit"])
    indexed_dataset(name="bus-3", organization=org, tags=["bus", "大眾運輸"])

    english = client.get("/en/datasets/").content.decode()
    chinese = client.get("/datasets/").content.decode()

    assert _tag_facet(english) == ["bus", "transit", "YouBike", "公車", "大眾運輸"]
    assert _tag_facet(chinese) == ["公車", "大眾運輸", "bus", "transit", "YouBike"]
    # Screen readers read a tag of the other language in its own.
    assert 'lang="zh-Hant">公車</a>' in english and 'lang="en">bus</a>' in chinese
    assert 'lang="en">bus</a>' not in english


def test_tag_facet_keeps_room_for_the_pages_language(client, org):
    # More English tags than the facet shows, each on more datasets than the Chinese one.
    english_tags = [f"tag{number:02}" for number in range(25)]
    indexed_dataset(name="a", organization=org, tags=english_tags)
    indexed_dataset(name="b", organization=org, tags=english_tags)
    indexed_dataset(name="c", organization=org, tags=["公車"])

    chinese = _tag_facet(client.get("/datasets/").content.decode())
    english = _tag_facet(client.get("/en/datasets/").content.decode())

    assert chinese[0] == "公車" and len(chinese) == 20
    assert "公車" not in english and len(english) == 20


def test_dataset_page_lists_its_tags_in_the_pages_language_first(client, org):
    indexed_dataset(name="bus", organization=org, tags=["bus", "公車"])

    english = client.get("/en/datasets/bus/").content.decode()
    chinese = client.get("/datasets/bus/").content.decode()

    assert english.index(">bus</a>") < english.index('lang="zh-Hant">公車</a>')
    assert chinese.index(">公車</a>") < chinese.index('lang="en">bus</a>')
