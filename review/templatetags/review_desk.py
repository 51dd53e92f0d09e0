"""``{% review_desk %}``: the station's review queue on the admin's landing page."""

from django import template

from review.views import queue_context

register = template.Library()


@register.inclusion_tag("review/desk.html", takes_context=True)
def review_desk(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"show": False}
    if not user.has_perm("permits.view_permitapplication"):
        return {"show": False}
    return {
        "show": True,
        "request": request,
        "perms": context.get("perms"),
        **queue_context(request),
    }
