"""Forms of the applicant-facing pages of the permits app, one module per area."""
