"""Results: ties, awards, feedback, publication (a frozen snapshot) and the public vote."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as active_language

from challenges.judging import aggregation
from challenges.judging.models import Award, PeoplesChoice, Result, Rubric, Vote
from challenges.judging.permissions import refuse, require_organizer
from challenges.judging.selectors import round_standings
from challenges.judging.services.panel import LANGUAGES

# Fields of a snapshot entry that only the team itself and the organizers may read.
PRIVATE_ENTRY_FIELDS = ("feedback",)


def _open_result(round_, *, by, action: str) -> Result:
    require_organizer(by, round_.challenge, action)
    result, _created = Result.objects.select_for_update().get_or_create(round=round_)
    if result.is_published:
        refuse(
            user=by,
            action=f"{action}_published",
            target=result,
            message=_("The results are published and can no longer change."),
        )
    return result


@transaction.atomic
def result_tie_order_set(*, round, by, order: list[int]) -> Result:
    """The panel's decision inside tie groups: the entries' ids, best first."""
    result = _open_result(round, by=by, action="result_tie_order_set")
    known = set(round.submissions.values_list("pk", flat=True))
    unknown = [pk for pk in order if pk not in known]
    if unknown:
        raise ValidationError(
            {
                "order": _("Not an entry of this round: %(numbers)s.")
                % {"numbers": ", ".join(str(pk) for pk in unknown)}
            }
        )
    twice = sorted({pk for pk in order if order.count(pk) > 1})
    if twice:
        raise ValidationError(
            {
                "order": _("Listed more than once: %(numbers)s.")
                % {"numbers": ", ".join(str(pk) for pk in twice)}
            }
        )
    result.tie_order = list(order)
    result._history_user = by
    result.save()
    return result


@transaction.atomic
def award_set(
    *, round, submission, by, kind: str = "", prize: str = "", feedback: str = ""
) -> Award:
    result = _open_result(round, by=by, action="award_set")
    if submission.round_id != round.pk:
        raise ValidationError(_("The entry belongs to another round."))
    if kind not in Award.Kind.values:
        raise ValidationError({"kind": _("Choose one of the listed awards.")})
    try:
        MaxLengthValidator(Award._meta.get_field("prize").max_length)(prize.strip())
    except ValidationError as error:
        raise ValidationError({"prize": error.messages}) from None
    award, _created = Award.objects.update_or_create(
        result=result,
        submission=submission,
        defaults={"kind": kind, "prize": prize.strip(), "feedback": feedback.strip()},
    )
    return award


def publication_warnings(standings) -> list[str]:
    """What the organizers should know about results that may still be published: the
    entries with fewer scores than the rubric asks for, each with how many it has."""
    short = standings.short_of_judges
    if not short:
        return []
    return [
        _("Fewer scores than the rubric asks for (%(asked)s per entry): %(entries)s.")
        % {
            "asked": standings.rubric.judges_per_entry,
            "entries": ", ".join(f"{entry.title} ({count})" for entry, count in short),
        }
    ]


@transaction.atomic
def result_publish(*, round, by) -> Result:
    """Freeze the ranking, awards and feedback into a snapshot that names the method.

    The returned result carries `warnings` (not stored): messages for the organizer who
    published, e.g. entries ranked on fewer scores than the rubric asks for.
    """
    result = _open_result(round, by=by, action="result_publish")
    rubric = Rubric.objects.get(round=round)
    if rubric.locked_at is None:
        raise ValidationError(_("Lock judging before publishing the results."))
    standings = round_standings(round=round, tie_order=result.tie_order)
    if not standings.rows:
        raise ValidationError(_("No entry has submitted scores yet."))
    if standings.unscored:
        # Left out of the snapshot they would vanish from the results without a word, e.g.
        # after a late conflict took away the only scores an entry had.
        raise ValidationError(
            _(
                "No submitted scores yet for %(entries)s: every entry needs them before "
                "the results are published."
            )
            % {"entries": ", ".join(s.title for s in standings.unscored)}
        )
    awards = {a.submission_id: a for a in result.awards.all()}
    groups: dict[int, set[str]] = {}
    for row in standings.rows:
        if row.ranked.tied:
            kind = awards[row.submission.pk].kind if row.submission.pk in awards else ""
            groups.setdefault(row.ranked.tie_group, set()).add(kind)
    undecided = [g for g, kinds in groups.items() if len(kinds) > 1]
    if undecided:
        raise ValidationError(
            _("Entries tied for different awards: decide their order before publishing.")
        )
    criteria = list(rubric.criteria.all())
    names = {c.pk: _criterion_names(c) for c in criteria}
    entries = []
    for row in standings.rows:
        award = awards.get(row.submission.pk)
        entries.append(
            {
                "id": row.submission.pk,
                "title": row.submission.title,
                "team": row.submission.team.name,
                "rank": row.ranked.rank,
                "raw": round_score(row.ranked.raw),
                "normalised": round_score(row.ranked.normalised),
                "tied": row.ranked.tied,
                "judges": row.ranked.judges,
                "award": award.kind if award else "",
                "prize": award.prize if award else "",
                "feedback": award.feedback if award else "",
                "criteria": [
                    {**names[c.pk], "mean": round_score(row.criteria.get(c.pk))} for c in criteria
                ],
            }
        )
    result.snapshot = {
        "method": rubric.method,
        "method_note": (
            "per-judge z-scores shrunk toward the pooled mean and spread "
            f"(prior strength {aggregation.DEFAULT_PRIOR_STRENGTH:g}), mapped to the scale"
            if rubric.method == Rubric.Method.NORMALISED
            else "raw weighted mean of the judges' scores"
        ),
        "scale": [float(rubric.scale_min), float(rubric.scale_max)],
        "tie_margin": float(rubric.tie_margin),
        "criteria": [{**names[c.pk], "weight": float(c.weight)} for c in criteria],
        "entries": entries,
    }
    result.published_at = timezone.now()
    result.published_by = by
    result._history_user = by
    result.save()
    challenge = round.challenge
    challenge.results_published_at = result.published_at
    challenge.save(update_fields=["results_published_at"])
    result.warnings = publication_warnings(standings)
    return result


def round_score(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _criterion_names(criterion) -> dict[str, str]:
    """The criterion's name frozen with the results as each language's reader sees it
    (fallback applied): {"name": <publisher's language>, "name_zh_hant": ..., "name_en": ...}."""
    names = {"name": criterion.name}
    for lang in LANGUAGES:
        with translation.override(lang):
            names[build_localized_fieldname("name", lang)] = criterion.name
    return names


def _in_reader_language(criteria: list[dict]) -> list[dict]:
    # Snapshots published before criteria had per-language names carry only "name".
    key = build_localized_fieldname("name", active_language())
    return [{**c, "name": c.get(key) or c["name"]} for c in criteria]


def public_snapshot(result: Result) -> dict:
    """The published snapshot without what only each team may read, criteria named in the
    reader's language."""
    snapshot = dict(result.snapshot)
    snapshot["criteria"] = _in_reader_language(snapshot.get("criteria", []))
    snapshot["entries"] = [
        {
            **{k: v for k, v in e.items() if k not in PRIVATE_ENTRY_FIELDS},
            "criteria": _in_reader_language(e.get("criteria", [])),
        }
        for e in snapshot.get("entries", [])
    ]
    snapshot["published_at"] = result.published_at.isoformat() if result.published_at else None
    return snapshot


# People's choice ---------------------------------------------------------------------------


@transaction.atomic
def peoples_choice_open(*, challenge, by, opens_at, closes_at) -> PeoplesChoice:
    require_organizer(by, challenge, "peoples_choice_open")
    if opens_at >= closes_at:
        raise ValidationError({"closes_at": _("Voting must close after it opens.")})
    vote, _created = PeoplesChoice.objects.update_or_create(
        challenge=challenge, defaults={"opens_at": opens_at, "closes_at": closes_at}
    )
    return vote


def _verified(user) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, verified=True).exists()


@transaction.atomic
def vote_cast(*, challenge, submission, user) -> Vote:
    """One vote per signed-in user with a verified e-mail per challenge."""
    if user is None or not user.is_authenticated:
        refuse(user=user, action="vote_cast", target=challenge)
    if not _verified(user):
        raise ValidationError(_("Verify your e-mail address before voting."))
    window = PeoplesChoice.objects.filter(challenge=challenge).first()
    if window is None or not window.is_open():
        raise ValidationError(_("The public vote is not open."))
    # The ballot is the public showcase: an entry not made public cannot be voted for.
    if (
        submission.round.challenge_id != challenge.pk
        or submission.status != "submitted"
        or not submission.showcased
    ):
        raise ValidationError(_("This entry is not part of the vote."))
    if Vote.objects.filter(challenge=challenge, user=user).exists():
        raise ValidationError(_("You have already voted in this challenge."))
    try:
        with transaction.atomic():
            return Vote.objects.create(challenge=challenge, submission=submission, user=user)
    except IntegrityError:  # a second request raced past the check above
        raise ValidationError(_("You have already voted in this challenge.")) from None
