"""Every write in judging: panel (rubric, judges, conflicts, assignment), scoring, results,
votes and pilots. Views, API and admin call these."""
