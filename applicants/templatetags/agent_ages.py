"""The agents' age limits for templates (``applicants.constants``, seed 001 Art. 9)."""

from django import template

from ..constants import ELDERLY_AGE, MINOR_AGE_LIMIT

register = template.Library()


@register.simple_tag
def agent_age_limits() -> dict[str, int]:
    """``{% agent_age_limits as ages %}``: ``ages.minor`` (under it), ``ages.elderly`` (from it)."""
    return {"minor": MINOR_AGE_LIMIT, "elderly": ELDERLY_AGE}
