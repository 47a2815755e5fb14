"""The Solr query subset that CKAN clients and harvesters send."""

import contextlib
import datetime as dt

import pytest
from django.db.models import Q
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from datasets.interop.selectors import package_search_queryset
from datasets.interop.solr import SearchQueryError, solr_to_q
from datasets.models import Dataset, Tag, Theme
from datasets.services.catalog import dataset_index
from tests.factories import DatasetFactory, OrganizationFactory, ResourceFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def words(text: str) -> Q:
    return Q(text=text)


def names(query: str, fq: list[str] = ()) -> list[str]:
    qs = package_search_queryset(user=None, q=query, fq=fq)
    return sorted(qs.values_list("name", flat=True))


@pytest.fixture
def datasets(db):
    dot = OrganizationFactory(slug="dot")
    parks = OrganizationFactory(slug="parks")
    rivers = DatasetFactory(name="rivers", organization=parks, title_en="River levels")
    rivers.tags.add(Tag.objects.create(name="water"), Tag.objects.create(name="flood"))
    rivers.themes.add(Theme.objects.get(slug="water"))
    ResourceFactory(dataset=rivers, format="CSV")
    buses = DatasetFactory(name="buses", organization=dot, license_id="CC0-1.0")
    buses.tags.add(Tag.objects.create(name="bus stop"))
    ResourceFactory(dataset=buses, format="JSON")
    old = DatasetFactory(name="old-roads", organization=dot)
    Dataset.objects.filter(pk=old.pk).update(
        metadata_modified=dt.datetime(2020, 5, 1, tzinfo=dt.UTC)
    )
    for dataset in Dataset.objects.all():
        dataset_index(dataset=dataset)


def test_field_terms_and_negation(datasets):
    assert names("", ["organization:dot"]) == ["buses", "old-roads"]
    assert names("", ["-organization:dot"]) == ["rivers"]
    assert names("", ["NOT organization:dot"]) == ["rivers"]
    assert names("", ["groups:water"]) == ["rivers"]
    assert names("", ["res_format:csv"]) == ["rivers"]
    assert names("", ["license_id:CC0-1.0"]) == ["buses"]


def test_quoted_values_boolean_operators_and_groups(datasets):
    assert names("", ['tags:"bus stop"']) == ["buses"]
    assert names("", ["tags:water AND tags:flood"]) == ["rivers"]
    assert names("", ["tags:water && organization:dot"]) == []
    assert names("", ['tags:(water OR "bus stop")']) == ["buses", "rivers"]
    assert names("", ["(organization:parks OR license_id:CC0-1.0) +res_format:JSON"]) == ["buses"]
    assert names("*:*") == ["buses", "old-roads", "rivers"]
    assert names("", ["name:bus*"]) == ["buses"]


def test_date_ranges(datasets):
    assert names("", ["metadata_modified:[2024-01-01T00:00:00Z TO *]"]) == ["buses", "rivers"]
    assert names("", ["metadata_modified:[* TO 2021-01-01]"]) == ["old-roads"]
    assert names("", ["metadata_modified:{2020-05-01T00:00:00Z TO 2021-01-01T00:00:00Z]"]) == []
    assert names("", ["metadata_modified:[NOW-30DAYS TO NOW]"]) == ["buses", "rivers"]


def test_free_text_in_q(datasets):
    assert names("river") == ["rivers"]
    assert names("river organization:parks") == ["rivers"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('title:"open', "Unclosed quote"),
        ("tags:(water", "Unclosed '('"),
        ("tags:water)", "Unexpected ')'"),
        ("metadata_modified:[2024 TO", "Unclosed range"),
        ("metadata_modified:[soon TO *]", "Invalid date 'soon'"),
        ("metadata_modified:[2024-01-01]", "Invalid range"),
        ("colour:red", "Unknown field 'colour'"),
        ("water AND", "ends where a term was expected"),
        ("private:maybe", "true or false"),
        ("tags:[a TO b]", "Ranges are not supported"),
    ],
)
def test_malformed_queries_name_the_problem(query, message):
    with pytest.raises(SearchQueryError) as error:
        solr_to_q(query, free_text=words)
    assert message in str(error.value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab:()[]{}"*-+! TOANDRNOtags\\', max_size=30))
def test_any_input_parses_or_gives_a_search_query_error(text):
    with contextlib.suppress(SearchQueryError):
        solr_to_q(text, free_text=words)
