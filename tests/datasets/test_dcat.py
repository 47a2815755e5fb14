"""DCAT-AP JSON-LD, Turtle and DCAT-US data.json as a harvester reads them."""

import datetime as dt
import json

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from datasets.interop import dcat
from datasets.models import Dataset, Tag, Theme
from tests.factories import DatasetFactory, OrganizationFactory, ResourceFactory

pytestmark = pytest.mark.django_db
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")


@pytest.fixture
def published():
    org = OrganizationFactory(slug="dot", email="open@dot.example.org")
    dataset = DatasetFactory(
        name="bus-stops",
        organization=org,
        title_en="Bus stops",
        temporal_start=dt.date(2024, 1, 1),
        temporal_end=dt.date(2024, 12, 31),
        spatial="Taipei City",
        update_frequency="MONTHLY",
        published_at=dt.datetime(2024, 2, 1, tzinfo=dt.UTC),
    )
    dataset.tags.add(Tag.objects.create(name="bus"))
    dataset.themes.add(Theme.objects.get(slug="transportation"))
    ResourceFactory(dataset=dataset, format="CSV", size=1234)
    DatasetFactory(name="secret", organization=org, private=True)
    DatasetFactory(name="draft", organization=org, status=Dataset.Status.DRAFT)
    DatasetFactory(name="in-review", organization=org, status=Dataset.Status.IN_REVIEW)
    return dataset


def parse(response) -> Graph:
    return Graph().parse(data=response.content.decode(), format="json-ld")


def test_catalog_is_valid_jsonld_with_dcat_classes(client, published):
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    graph = parse(response)
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    assert graph.value(catalogs[0], DCTERMS.publisher) is not None
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    (dataset,) = datasets
    assert (catalogs[0], DCAT.dataset, dataset) in graph
    assert (dataset, DCTERMS.title, Literal("Bus stops", lang="en")) in graph
    assert (dataset, DCTERMS.title, Literal(published.title_zh_hant, lang="zh-Hant")) in graph
    assert (dataset, DCAT.keyword, Literal("bus")) in graph
    assert (
        dataset,
        DCAT.theme,
        URIRef("http://publications.europa.eu/resource/authority/data-theme/TRAN"),
    ) in graph
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert publisher is not None
    period = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == "2024-01-01"
    assert graph.value(dataset, DCAT.contactPoint) is not None
    assert graph.value(dataset, DCTERMS.modified) is not None
    assert graph.value(dataset, DCTERMS.issued) is not None
    (distribution,) = graph.objects(dataset, DCAT.distribution)
    assert (distribution, RDF.type, DCAT.Distribution) in graph
    assert graph.value(distribution, DCAT.downloadURL) is not None
    assert graph.value(distribution, DCAT.accessURL) is not None
    assert str(graph.value(distribution, DCTERMS.license)).startswith("https://creativecommons")
    assert int(graph.value(distribution, DCAT.byteSize)) == 1234


def test_private_drafts_and_reviews_never_appear(client, published):
    for url in ("/catalog.jsonld", "/catalog.ttl", "/data.json"):
        body = client.get(url).content.decode()
        assert "bus-stops" in body
        for hidden in ("secret", "draft", "in-review"):
            assert f"/datasets/{hidden}/" not in body
    for hidden in ("secret", "draft", "in-review"):
        assert client.get(f"/datasets/{hidden}.jsonld").status_code == 404
        assert client.get(f"/datasets/{hidden}.ttl").status_code == 404


def test_dataset_jsonld_and_turtle(client, published):
    graph = parse(client.get("/datasets/bus-stops.jsonld"))
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
    turtle = client.get("/datasets/bus-stops.ttl")
    assert turtle["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content.decode(), format="turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Distribution))) == 1


def test_catalog_is_paginated(client, published, monkeypatch):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 2)
    org = published.organization
    for n in range(4):
        DatasetFactory(name=f"extra-{n}", organization=org)
    first = parse(client.get("/catalog.jsonld"))
    assert len(list(first.subjects(RDF.type, DCAT.Dataset))) == 2
    view = next(first.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert int(first.value(view, HYDRA.totalItems)) == 5
    next_page = str(first.value(view, HYDRA.next))
    assert next_page.endswith("?page=2")
    last = parse(client.get("/catalog.jsonld", {"page": 3}))
    assert len(list(last.subjects(RDF.type, DCAT.Dataset))) == 1
    assert client.get("/catalog.jsonld", {"page": 9}).status_code == 404


def test_catalog_query_count_does_not_grow(client, published, django_assert_max_num_queries):
    for _ in range(10):
        ResourceFactory(dataset=DatasetFactory(organization=published.organization))
    with django_assert_max_num_queries(10):
        client.get("/catalog.jsonld")
    with django_assert_max_num_queries(10):
        client.get("/data.json")


def test_data_json_is_dcat_us(client, published):
    document = json.loads(client.get("/data.json").content)
    assert document["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    (entry,) = document["dataset"]
    for field in ("title", "description", "keyword", "modified", "publisher", "contactPoint",
                  "identifier", "accessLevel", "distribution"):  # fmt: skip
        assert entry[field], field
    assert entry["accrualPeriodicity"] == "R/P1M"
    assert entry["temporal"] == "2024-01-01/2024-12-31"
    assert entry["contactPoint"]["hasEmail"] == "mailto:open@dot.example.org"
    assert entry["distribution"][0]["mediaType"] == "text/csv"


def test_cached_catalogs_follow_changes_at_once(client, published):
    assert b"bus-stops" in client.get("/data.json").content
    assert b"bus-stops" in client.get("/catalog.jsonld").content
    published.private = True
    published.save()
    DatasetFactory(name="new-one", organization=published.organization)
    for url in ("/data.json", "/catalog.jsonld"):
        body = client.get(url).content
        assert b"bus-stops" not in body
        assert b"new-one" in body


@pytest.mark.parametrize("url", ["/catalog.jsonld", "/catalog.ttl"])
@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5"])
def test_a_malformed_catalog_page_is_a_400_naming_it(client, published, url, page):
    # It was a 404, as for a page past the last one, saying nothing of what was wrong.
    response = client.get(url, {"page": page}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["param"] == "page"
    assert "whole number" in response.json()["detail"]
