"""Which accounts a row of this app concerns, for ``core.page_cache`` (issue 29): each
state-machine model and each row a person's pages show declares ``page_accounts()`` with these.

As ids when the related row is loaded, else as a subquery of ids: the bump stays one UPDATE
and never loads a row to learn whom it concerns."""

from applicants.models import Identity


def identity_accounts(instance, field: str) -> list:
    """The account that filed the identity ``instance.<field>`` (the person, or their agent)."""
    related = instance._state.fields_cache.get(field)
    if related is not None:
        return [related.account_id]
    identity_id = getattr(instance, f"{field}_id")
    if identity_id is None:
        return []
    return [Identity.objects.filter(pk=identity_id).values("account_id")]


def application_accounts(instance, field: str = "application") -> list:
    """The accounts of ``instance.<field>`` (an application): who filed it, and the person's."""
    related = instance._state.fields_cache.get(field)
    if related is not None:
        return related.page_accounts()
    application_id = getattr(instance, f"{field}_id")
    if application_id is None:
        return []
    applications = instance._meta.get_field(field).related_model
    return applications.page_accounts_of(applications.objects.filter(pk=application_id))
