import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from portal.models import Membership, Organization

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_zh_hant = factory.Sequence(lambda n: f"機關{n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    kind = Organization.Kind.AGENCY


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEMBER


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "datasets.Dataset"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"dataset-{n}")
    title_zh_hant = factory.Sequence(lambda n: f"資料集{n}")
    title_en = factory.Sequence(lambda n: f"Dataset {n}")
    summary_zh_hant = "這份資料的白話說明。"
    summary_en = "A plain-language summary of this data."
    organization = factory.SubFactory(OrganizationFactory)
    license_id = "CC-BY-4.0"
    status = "published"


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "datasets.Resource"

    dataset = factory.SubFactory(DatasetFactory)
    name_zh_hant = factory.Sequence(lambda n: f"檔案{n}")
    name_en = factory.Sequence(lambda n: f"File {n}")
    format = "CSV"


class IngestJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "datasets.IngestJob"

    resource = factory.SubFactory(ResourceFactory)
    source = "upload"


def editor_of(organization, username: str | None = None, role: str = Membership.Role.EDITOR):
    """A user holding `role` in `organization`."""
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, organization=organization, role=role)
    return user


def indexed_dataset(**kwargs):
    """A dataset with its search document built, as the catalog services leave it."""
    from datasets.services.catalog import dataset_index

    tags = kwargs.pop("tags", [])
    themes = kwargs.pop("themes", [])
    dataset = DatasetFactory(**kwargs)
    if tags:
        from datasets.models import Tag

        dataset.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    if themes:
        dataset.themes.set(themes)
    dataset_index(dataset=dataset)
    return dataset


# --- challenges --------------------------------------------------------------------------------


def _now_plus(**delta):
    from datetime import timedelta

    from django.utils import timezone

    return lambda: timezone.now() + timedelta(**delta)


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.Challenge"
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title_zh_hant = factory.Sequence(lambda n: f"挑戰{n}")
    title_en = factory.Sequence(lambda n: f"Challenge {n}")
    summary_zh_hant = "減少公車誤點。"
    summary_en = "Fewer late buses."
    problem_zh_hant = "公車常常誤點。"
    problem_en = "Buses are often late."
    status = "published"
    published_at = factory.LazyFunction(_now_plus())


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.Round"

    challenge = factory.SubFactory(ChallengeFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_zh_hant = "構想"
    title_en = "Ideas"
    opens_at = factory.LazyFunction(_now_plus(days=-1))
    closes_at = factory.LazyFunction(_now_plus(days=10))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.Team"

    challenge = factory.SubFactory(ChallengeFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.TeamMembership"

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.Submission"

    team = factory.SubFactory(TeamFactory)
    round = factory.SubFactory(RoundFactory, challenge=factory.SelfAttribute("..team.challenge"))
    title = factory.Sequence(lambda n: f"Entry {n}")
    summary = "A bus arrival predictor."
    status = "draft"


def seed_themes_and_licenses() -> None:
    """Put back the themes and licenses a data migration seeds: transactional tests
    (live_server) flush every table, seeded rows included."""
    import importlib

    from django.apps import apps

    importlib.import_module("datasets.migrations.0002_seed_themes_licenses").seed(apps, None)


class HarvestSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "datasets.HarvestSource"

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Remote portal {n}")
    kind = "ckan"
    url = factory.Sequence(lambda n: f"https://remote{n}.example.org")
    ingest_files = False
