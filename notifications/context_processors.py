from django.urls import NoReverseMatch, reverse


def unread_notifications(request):
    """The unread badge on every page: one COUNT query, only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        inbox_url = reverse("notifications:inbox")
    except NoReverseMatch:
        inbox_url = ""
    return {
        "inbox_url": inbox_url,
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
