"""REST API v1 for challenges: public reads through selectors, writes for team members."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from challenges import permissions, selectors
from challenges.models import Challenge, Round, Submission, Team
from challenges.services import submissions as submission_services
from challenges.services import teams as team_services
from datasets.api import StrictSerializer
from datasets.models import Dataset
from portal.models import Organization

# --- output ---------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["number", "title", "title_zh_hant", "title_en", "opens_at", "closes_at"]


class ChallengeSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.slug")
    city = serializers.SerializerMethodField()
    rounds = RoundSerializer(many=True)
    themes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "slug",
            "title",
            "title_zh_hant",
            "title_en",
            "summary",
            "summary_zh_hant",
            "summary_en",
            "status",
            "private",
            "organization",
            "city",
            "prize_money",
            "prize_currency",
            "offers_pilot",
            "offers_mentoring",
            "themes",
            "rounds",
            "published_at",
            "url",
        ]

    def get_city(self, obj) -> str | None:
        city = obj.organization.city
        return city.slug if city else None

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class ChallengeDetailSerializer(ChallengeSerializer):
    datasets = serializers.SerializerMethodField()

    class Meta(ChallengeSerializer.Meta):
        fields = [
            *ChallengeSerializer.Meta.fields,
            *[
                f"{name}{suffix}"
                for name in (
                    "problem",
                    "context",
                    "expected_outcomes",
                    "constraints",
                    "success_measures",
                    "prizes",
                    "eligibility",
                    "rules",
                )
                for suffix in ("", "_zh_hant", "_en")
            ],
            "allow_individuals",
            "allow_companies",
            "residents_only",
            "min_team_size",
            "max_team_size",
            "max_entries_per_round",
            "contact_name",
            "contact_email",
            "datasets",
        ]

    def get_datasets(self, obj) -> list[str]:
        user = self.context["request"].user
        return list(obj.datasets.visible_to(user).values_list("name", flat=True))


class SubmissionSerializer(serializers.ModelSerializer):
    team = serializers.CharField(source="team.slug")
    team_name = serializers.CharField(source="team.name")
    round = serializers.IntegerField(source="round.number")
    datasets = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "team",
            "team_name",
            "round",
            "title",
            "summary",
            "description",
            "repository_url",
            "demo_url",
            "video_url",
            "technology_readiness",
            "pilot_needs",
            "datasets",
            "status",
            "showcased",
            "advanced",
            "submitted_at",
            "updated_at",
            "versions",
        ]

    def get_datasets(self, obj) -> list[str]:
        # Only those the reader may see: a team may link its own organization's private or
        # draft data, and a showcased entry must not give away even their names.
        visible = getattr(obj, "visible_datasets", None)
        if visible is None:
            visible = obj.datasets.visible_to(self.context["request"].user)
        return [dataset.name for dataset in visible]

    def get_versions(self, obj) -> int:
        return len(obj.versions.all())


# --- input ----------------------------------------------------------------------------------
# Strict as the catalog's input is: a field the API does not take (`status`, `showcased`,
# a team's `slug`) is a 400 naming it, never silently dropped.


class SubmissionInSerializer(StrictSerializer):
    # Issue 7: a client's own submission time is ignored (the server clock decides), not
    # refused, so clients that send it keep working.
    IGNORED_FIELDS = ("submitted_at",)

    def to_internal_value(self, data):
        if any(name in data for name in self.IGNORED_FIELDS):
            data = data.copy()  # a dict or a QueryDict; the request's own stays as sent
            for name in self.IGNORED_FIELDS:
                data.pop(name, None)
        return super().to_internal_value(data)

    title = serializers.CharField(max_length=300, required=False)
    summary = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    repository_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    demo_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    video_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    technology_readiness = serializers.IntegerField(
        min_value=1, max_value=9, required=False, allow_null=True
    )
    pilot_needs = serializers.CharField(required=False, allow_blank=True)
    datasets = serializers.ListField(child=serializers.CharField(), required=False)

    def validate_datasets(self, names):
        user = self.context["request"].user
        found = list(Dataset.objects.visible_to(user).filter(name__in=names))
        missing = sorted(set(names) - {d.name for d in found})
        if missing:
            raise serializers.ValidationError(
                _("No dataset is called %(names)s.") % {"names": ", ".join(missing)}
            )
        return found


class SubmitInSerializer(SubmissionInSerializer):
    accept_rules = serializers.BooleanField(
        required=False, default=False, help_text="Accept the challenge's rules (first submit)."
    )


class SubmissionCreateSerializer(SubmissionInSerializer):
    title = serializers.CharField(max_length=300)
    round = serializers.IntegerField(min_value=1, required=False)


class ChallengeFilterSerializer(serializers.Serializer):
    """The list's filters: an unknown status or prize type, or a NUL character (which
    PostgreSQL refuses in a query), is a 400 naming the filter."""

    status = serializers.ChoiceField(
        choices=Challenge.Status.choices, required=False, allow_blank=True
    )
    city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    organization = serializers.CharField(required=False, allow_blank=True, max_length=100)
    theme = serializers.CharField(required=False, allow_blank=True, max_length=100)
    prize = serializers.ChoiceField(choices=selectors.PRIZE_TYPES, required=False, allow_blank=True)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TeamInSerializer(StrictSerializer):
    name = serializers.CharField(max_length=150)
    description = serializers.CharField(required=False, allow_blank=True)
    company = serializers.SlugField(required=False, allow_blank=True)


class InviteInSerializer(StrictSerializer):
    who = serializers.CharField(max_length=254)


class TeamOutSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    company = serializers.CharField(source="company.slug", default=None)
    members = serializers.SerializerMethodField()

    def get_members(self, obj) -> list[str]:
        return [m.user.username for m in obj.memberships.select_related("user")]


# --- views ----------------------------------------------------------------------------------


class ChallengePagination(LimitOffsetPagination):
    """Pages of at most 100 rows; a larger `limit` (even one past 64 bits, which the
    database could not take) is cut down to that instead of failing."""

    max_limit = 100


class ChallengeViewSet(viewsets.ReadOnlyModelViewSet):
    """Challenges visible to the caller. Filters: status, city, organization, theme,
    prize (money|pilot|mentoring), q."""

    lookup_field = "slug"
    filter_backends: list = []
    pagination_class = ChallengePagination

    def get_queryset(self):
        filters = ChallengeFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.challenge_list(
            user=self.request.user, filters=filters.validated_data
        ).select_related("organization__parent")

    def get_serializer_class(self):
        return ChallengeDetailSerializer if self.action == "retrieve" else ChallengeSerializer

    def get_object(self):
        return selectors.challenge_get(user=self.request.user, slug=self.kwargs["slug"])


def _team_for(request, challenge):
    team = selectors.user_team(challenge=challenge, user=request.user)
    if team is None:
        permissions.log_refusal(request.user, "api_submission_write", challenge)
        raise Http404
    return team


class SubmissionListView(GenericAPIView):
    """GET: a team sees its own entries, organizers all submitted ones, the public only
    showcased ones. POST: a team member starts a draft (in the round open now, or `round`)."""

    queryset = Submission.objects.none()  # for the schema; rows come from selectors

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = SubmissionSerializer
    pagination_class = ChallengePagination

    @extend_schema(
        operation_id="challenges_submissions_list", responses=SubmissionSerializer(many=True)
    )
    def get(self, request, slug):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        qs = selectors.submissions_visible(challenge=challenge, user=request.user)
        datasets = Dataset.objects.visible_to(request.user).order_by("name")
        qs = qs.prefetch_related(
            Prefetch("datasets", queryset=datasets, to_attr="visible_datasets"),
            Prefetch("versions"),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(
            SubmissionSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=SubmissionCreateSerializer, responses=SubmissionSerializer)
    def post(self, request, slug):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        data = SubmissionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        number = fields.pop("round", None)
        rounds = list(challenge.rounds.all())
        if number is not None:
            round_ = get_object_or_404(challenge.rounds, number=number)
        else:
            from django.utils import timezone

            now = timezone.now()
            round_ = next((r for r in rounds if now <= r.closes_at), rounds[-1] if rounds else None)
            if round_ is None:
                raise Http404
        entry = submission_services.submission_create(
            team=_team_for(request, challenge), round=round_, by=request.user, **fields
        )
        return Response(
            SubmissionSerializer(entry, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class SubmissionDetailView(GenericAPIView):
    queryset = Submission.objects.none()  # for the schema; rows come from selectors
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = SubmissionSerializer

    def _get(self, request, slug, pk):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        return selectors.submission_get(user=request.user, pk=pk, challenge=challenge)

    def get(self, request, slug, pk):
        entry = self._get(request, slug, pk)
        return Response(SubmissionSerializer(entry, context={"request": request}).data)

    @extend_schema(request=SubmissionInSerializer, responses=SubmissionSerializer)
    def patch(self, request, slug, pk):
        entry = self._get(request, slug, pk)
        if not permissions.can_edit_submission(request.user, entry):
            permissions.log_refusal(request.user, "api_submission_update", entry)
            raise Http404
        data = SubmissionInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        submission_services.submission_update(
            submission=entry, by=request.user, **data.validated_data
        )
        entry.refresh_from_db()
        return Response(SubmissionSerializer(entry, context={"request": request}).data)


class SubmissionSubmitView(GenericAPIView):
    """Submit the entry (with optional last changes); records a new version."""

    queryset = Submission.objects.none()  # for the schema; rows come from selectors

    permission_classes = [IsAuthenticated]
    serializer_class = SubmitInSerializer

    @extend_schema(request=SubmitInSerializer, responses=SubmissionSerializer)
    def post(self, request, slug, pk):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        entry = selectors.submission_get(user=request.user, pk=pk, challenge=challenge)
        if not permissions.can_edit_submission(request.user, entry):
            permissions.log_refusal(request.user, "api_submission_submit", entry)
            raise Http404
        data = SubmitInSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        submission_services.submission_submit(
            submission=entry, by=request.user, **data.validated_data
        )
        return Response(SubmissionSerializer(entry, context={"request": request}).data)


class TeamCreateView(GenericAPIView):
    queryset = Team.objects.none()  # for the schema; rows come from selectors
    permission_classes = [IsAuthenticated]
    serializer_class = TeamInSerializer

    @extend_schema(request=TeamInSerializer, responses=TeamOutSerializer)
    def post(self, request, slug):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        data = TeamInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        company_slug = fields.pop("company", "")
        company = None
        if company_slug:
            company = Organization.objects.filter(slug=company_slug).first()
            if company is None:
                raise serializers.ValidationError(
                    {"company": [_("No organization is called %(slug)s.") % {"slug": company_slug}]}
                )
        team = team_services.team_create(
            challenge=challenge, by=request.user, company=company, **fields
        )
        return Response(TeamOutSerializer(team).data, status=status.HTTP_201_CREATED)


class TeamInviteView(GenericAPIView):
    queryset = Team.objects.none()  # for the schema; rows come from selectors
    permission_classes = [IsAuthenticated]
    serializer_class = InviteInSerializer

    @extend_schema(request=InviteInSerializer, responses=None)
    def post(self, request, slug, team_slug):
        challenge = selectors.challenge_get(user=request.user, slug=slug)
        team = selectors.team_detail(challenge=challenge, team_slug=team_slug)
        data = InviteInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = team_services.team_invite(team=team, by=request.user, **data.validated_data)
        return Response(
            {"email": invitation.email, "status": invitation.status}, status=status.HTTP_201_CREATED
        )
