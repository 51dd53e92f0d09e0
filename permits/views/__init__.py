"""Applicant-facing pages of the permits app, one module per area."""
