from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("sms/twilio/status/", views.twilio_status, name="twilio_status"),
]
