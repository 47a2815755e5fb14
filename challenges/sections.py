"""Sections this app adds to the home, organization and dataset pages (see portal/hooks.py)."""

from portal.hooks import Section


def home_open_challenges(request) -> Section | None:
    from challenges.selectors import open_challenges

    challenges = list(open_challenges(user=request.user)[:6])
    if not challenges:
        return None
    return Section("challenges/_open_challenges.html", {"challenges": challenges})


def organization_open_challenges(request, organization) -> Section | None:
    from challenges.selectors import open_challenges

    challenges = list(open_challenges(user=request.user, organization=organization)[:6])
    if not challenges:
        return None
    return Section("challenges/_open_challenges.html", {"challenges": challenges})


def dataset_challenges(request, dataset) -> Section | None:
    from challenges.selectors import challenges_for_dataset, solutions_for_dataset

    challenges = list(challenges_for_dataset(dataset=dataset, user=request.user)[:20])
    solutions = list(solutions_for_dataset(dataset=dataset, user=request.user)[:20])
    if not (challenges or solutions):
        return None
    return Section(
        "challenges/_for_dataset.html", {"challenges": challenges, "solutions": solutions}
    )
