"""Questions and answers, announcements and following a challenge."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from challenges import permissions
from challenges.markdown import check_markdown
from challenges.models import Announcement, Answer, Challenge, Follow, Question
from challenges.services.notifications import challenge_notify, email_user


def _check_visible(challenge: Challenge, by, action: str) -> None:
    if not permissions.can_view_challenge(by, challenge):
        permissions.log_refusal(by, action, challenge)
        raise PermissionDenied(_("You cannot see this challenge."))


def _check_organizer(challenge: Challenge, by, action: str) -> None:
    if not permissions.is_organizer(by, challenge):
        permissions.log_refusal(by, action, challenge)
        raise PermissionDenied(_("Only the organizers can do this."))


@transaction.atomic
def question_ask(*, challenge: Challenge, by, text: str) -> Question:
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Sign in to ask a question."))
    _check_visible(challenge, by, "question_ask")
    if challenge.status == Challenge.Status.DRAFT:
        raise ValidationError(_("Questions open when the challenge is published."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your question.")})
    if len(text) > 4000:
        raise ValidationError({"text": _("Keep the question under 4000 characters.")})
    check_markdown(text, field="text")
    return Question.objects.create(challenge=challenge, asked_by=by, text=text)


@transaction.atomic
def question_answer(*, question: Question, by, text: str, is_clarification: bool = False) -> Answer:
    """Answer in public; a clarification of the rules is e-mailed to followers and teams."""
    challenge = question.challenge
    _check_organizer(challenge, by, "question_answer")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the answer.")})
    check_markdown(text, field="text")
    if question.status == Question.Status.MERGED:
        raise ValidationError(_("Answer the original question this one duplicates."))
    answer, _created = Answer.objects.update_or_create(
        question=question,
        defaults={"text": text, "author": by, "is_clarification": is_clarification},
    )
    question.status = Question.Status.ANSWERED
    question.save(update_fields=["status"])
    if is_clarification:
        challenge_notify(
            challenge=challenge, render=lambda: (_("Clarification"), f"{question.text}\n\n{text}")
        )
    else:
        email_user(
            user=question.asked_by,
            render=lambda: (
                _("Your question about %(challenge)s was answered")
                % {"challenge": challenge.title},
                f"{question.text}\n\n{text}",
            ),
        )
    return answer


@transaction.atomic
def question_merge(*, question: Question, into: Question, by) -> Question:
    """Mark a question as a duplicate of another; readers are sent to the original."""
    _check_organizer(question.challenge, by, "question_merge")
    if into.challenge_id != question.challenge_id or into.pk == question.pk:
        raise ValidationError(_("Merge into another question of the same challenge."))
    if into.status == Question.Status.MERGED:
        into = into.duplicate_of or into
    if into.pk == question.pk:  # `into` was itself merged into this question
        raise ValidationError(_("Merge into another question of the same challenge."))
    question.status = Question.Status.MERGED
    question.duplicate_of = into
    question.save(update_fields=["status", "duplicate_of"])
    # Readers are sent one step to the original, never along a chain.
    Question.objects.filter(duplicate_of=question).update(duplicate_of=into)
    return question


@transaction.atomic
def announcement_post(
    *,
    challenge: Challenge,
    by,
    title_zh_hant: str = "",
    title_en: str = "",
    body_zh_hant: str = "",
    body_en: str = "",
) -> Announcement:
    _check_organizer(challenge, by, "announcement_post")
    if not (title_zh_hant or title_en):
        raise ValidationError({"title": _("Give the announcement a title.")})
    if not (body_zh_hant or body_en):
        raise ValidationError({"body": _("Write the announcement.")})
    for field, value in (("body_zh_hant", body_zh_hant), ("body_en", body_en)):
        check_markdown(value, field=field)
    announcement = Announcement.objects.create(
        challenge=challenge,
        author=by,
        title_zh_hant=title_zh_hant,
        title_en=title_en,
        body_zh_hant=body_zh_hant,
        body_en=body_en,
    )
    if challenge.status != Challenge.Status.DRAFT:
        challenge_notify(
            challenge=challenge, render=lambda: (announcement.title, announcement.body)
        )
    return announcement


def challenge_follow(*, challenge: Challenge, by) -> Follow:
    if by is None or not by.is_authenticated:
        raise PermissionDenied(_("Sign in to follow a challenge."))
    _check_visible(challenge, by, "challenge_follow")
    follow, _created = Follow.objects.get_or_create(challenge=challenge, user=by)
    return follow


def challenge_unfollow(*, challenge: Challenge, by) -> None:
    Follow.objects.filter(challenge=challenge, user=by).delete()
