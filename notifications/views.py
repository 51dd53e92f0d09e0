"""The applicant's "My Affairs" (我的事务) inbox and the Twilio delivery-status webhook."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.display import pk_url
from core.page_cache import person_page
from core.paging import counted_page

from . import selectors, services
from .models import Notification
from .sms import apply_provider_status

logger = logging.getLogger(__name__)

INBOX_PAGE_SIZE = 20


@login_required
@person_page  # cached under the account's page generation (core.page_cache)
def inbox(request):
    """Newest first, unread marked, paginated; only the signed-in user's own notifications.

    The page, the count of all and of the unread ones come in one query (issue 18): the view's
    ``unread_notifications`` stands in for the context processor's, which then never counts.
    Each row's link and times are worked out here, not per row in the template."""
    entries = Notification.objects.filter(recipient=request.user).only(
        "pk", "kind", "title", "created_at", "read_at", "recipient_id"
    )
    page, counts = counted_page(
        entries,
        request.GET.get("page"),
        INBOX_PAGE_SIZE,
        unread=Count("pk", filter=Q(read_at__isnull=True)),
    )
    url = pk_url("notifications:detail")
    for entry in page.object_list:
        entry.title = selectors.display_title(entry)  # in the page's language
        entry.url = url(entry.pk)
        created = timezone.localtime(entry.created_at)
        entry.created_iso = created.isoformat()  # date:"c"
        entry.created_display = created.strftime("%Y-%m-%d %H:%M")  # date:"Y-m-d H:i"
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_notifications": counts["unread"]},
    )


@login_required
def detail(request, pk: int):
    """Opening a notification marks it read. Anyone but its recipient gets a 404."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, notification=notification)
    notification.title = selectors.display_title(notification)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def mark_all_read(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:inbox")


def _twilio_signature_valid(request) -> bool:
    from twilio.request_validator import RequestValidator

    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not settings.TWILIO_AUTH_TOKEN:
        return False
    from .backends import status_callback_url

    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    params = request.POST.dict()
    candidates = [url for url in (status_callback_url(), request.build_absolute_uri()) if url]
    return any(validator.validate(url, params, signature) for url in dict.fromkeys(candidates))


@csrf_exempt
@require_POST
def twilio_status(request):
    """Twilio's status callback: signed with our auth token, or refused with 403."""
    if not _twilio_signature_valid(request):
        logger.warning("Twilio status callback with a missing or invalid signature refused")
        return HttpResponseForbidden("invalid signature")
    apply_provider_status(
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)
