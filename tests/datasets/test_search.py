"""Catalog search: Chinese words inside sentences, English stems, facets equal results."""

import pytest
from django.db import connection

from datasets.models import Theme
from datasets.search import cjk_expand, query_terms
from datasets.selectors import dataset_search
from tests.factories import ResourceFactory, indexed_dataset

pytestmark = pytest.mark.django_db


def names(search):
    return sorted(d.name for d in search.datasets)


def test_query_terms_split_chinese_into_bigrams_and_keep_latin_words():
    assert query_terms("臺北市公車 Bus") == ["臺北", "北市", "市公", "公車", "bus"]
    assert "公車" in cjk_expand("臺北市公車路線").split()


def test_finds_a_chinese_word_inside_a_chinese_title(org):
    indexed_dataset(
        name="bus-routes", title_zh_hant="臺北市公車路線", title_en="Bus routes", organization=org
    )
    indexed_dataset(name="parks", title_zh_hant="公園綠地", title_en="Parks", organization=org)

    assert names(dataset_search(user=None, q="公車")) == ["bus-routes"]
    assert names(dataset_search(user=None, q="公園")) == ["parks"]
    assert names(dataset_search(user=None, q="捷運")) == []


def test_finds_english_words_with_any_case_and_plural(org):
    indexed_dataset(
        name="bus-routes", title_zh_hant="臺北市公車路線", title_en="Bus routes", organization=org
    )

    assert names(dataset_search(user=None, q="bus")) == ["bus-routes"]
    assert names(dataset_search(user=None, q="BUS route")) == ["bus-routes"]


def test_finds_words_in_summary_tags_and_description(org):
    indexed_dataset(name="a", summary_en="Where ambulances wait", organization=org)
    indexed_dataset(name="b", tags=["空氣品質"], organization=org)
    indexed_dataset(name="c", description_en="Measured **hourly** by sensors", organization=org)

    assert names(dataset_search(user=None, q="ambulances")) == ["a"]
    assert names(dataset_search(user=None, q="空氣")) == ["b"]
    assert names(dataset_search(user=None, q="sensors")) == ["c"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="weights exist on PostgreSQL")
def test_title_matches_rank_above_description_matches(org):
    indexed_dataset(name="in-description", description_en="about parking", organization=org)
    indexed_dataset(name="in-title", title_en="Parking lots", organization=org)

    ranked = [d.name for d in dataset_search(user=None, q="parking").datasets]
    assert ranked == ["in-title", "in-description"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists on PostgreSQL")
def test_short_query_with_a_typo_finds_similar_titles(org):
    indexed_dataset(name="parking", title_en="Parking lots", organization=org)

    search = dataset_search(user=None, q="parkng")
    assert names(search) == ["parking"]
    assert search.typo_corrected


def test_facet_counts_equal_the_filtered_results(org, other_org):
    transport = Theme.objects.get(slug="transportation")
    health = Theme.objects.get(slug="health")
    bus = indexed_dataset(
        name="bus", title_en="Bus stops", organization=org, themes=[transport], tags=["bus"]
    )
    indexed_dataset(
        name="bus-2",
        title_en="Bus fares",
        organization=other_org,
        themes=[transport],
        tags=["bus", "fares"],
    )
    indexed_dataset(name="clinics", title_en="Clinics", organization=org, themes=[health])
    ResourceFactory(dataset=bus, format="CSV")

    search = dataset_search(user=None, q="bus", filters={"theme": ["transportation"]})
    assert names(search) == ["bus", "bus-2"]
    counts = {key: {f.value: f.count for f in values} for key, values in search.facets.items()}
    assert counts["organization"] == {"taipei-dot": 1, "kaohsiung-dot": 1}
    assert counts["theme"] == {"transportation": 2}
    assert counts["tag"] == {"bus": 2, "fares": 1}
    assert counts["format"] == {"CSV": 1}

    narrowed = dataset_search(
        user=None, q="bus", filters={"theme": ["transportation"], "organization": ["taipei-dot"]}
    )
    assert names(narrowed) == ["bus"]
    assert {f.value: f.count for f in narrowed.facets["tag"]} == {"bus": 1}
    # Every facet value's count is what clicking it would return.
    for facet in search.facets["tag"]:
        clicked = dataset_search(
            user=None, q="bus", filters={"theme": ["transportation"], "tag": [facet.value]}
        )
        assert clicked.datasets.count() == facet.count


def test_drafts_and_private_datasets_stay_out_of_results_and_facets(org, member, outsider):
    indexed_dataset(name="public", title_en="Bus public", organization=org, tags=["bus"])
    indexed_dataset(
        name="draft", title_en="Bus draft", organization=org, status="draft", tags=["secret-tag"]
    )
    indexed_dataset(
        name="private", title_en="Bus private", organization=org, private=True, tags=["secret-tag"]
    )

    for user in (None, outsider):
        search = dataset_search(user=user, q="bus")
        assert names(search) == ["public"]
        assert "secret-tag" not in {f.value for f in search.facets["tag"]}
    search = dataset_search(user=member, q="bus")
    assert names(search) == ["draft", "private", "public"]
    assert {f.value: f.count for f in search.facets["tag"]}["secret-tag"] == 2


def test_cached_public_facets_follow_every_catalog_change(org, editor, admin):
    from datasets.services.catalog import dataset_create
    from datasets.services.publishing import dataset_publish, dataset_submit

    indexed_dataset(name="one", title_en="Bus one", organization=org, tags=["bus"])
    assert dataset_search(user=None, q="bus").total == 1
    draft = dataset_create(
        by=editor, organization=org, name="two", title_en="Bus two", summary_en="s", tags=["bus"]
    )
    assert dataset_search(user=None, q="bus").total == 1  # a draft stays out
    dataset_submit(dataset=draft, by=editor)
    dataset_publish(dataset=draft, by=admin)
    search = dataset_search(user=None, q="bus")
    assert search.total == 2 == search.datasets.count()
    assert {f.value: f.count for f in search.facets["tag"]} == {"bus": 2}
