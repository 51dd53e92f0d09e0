from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_notifications(request):
    """The unread badge on every page: only for signed-in users, only when a template shows the
    badge, and from the cache when it holds the count (``selectors.unread_count``).

    The result is kept on the request: every ``render_to_string(..., request=request)`` runs the
    context processors again (the personal center renders each section that way), and the count
    does not change while one page is drawn (issue 18: it ran four times per page).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_unread_notifications", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    try:
        inbox_url = reverse("notifications:inbox")
    except NoReverseMatch:
        inbox_url = ""
    context = {
        "inbox_url": inbox_url,
        # Counted when a template shows it: the admin's pages never do (issue 18).
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
    }
    request._unread_notifications = (user.pk, context)
    return context
