from django.urls import path

from . import views

app_name = "wechat"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("oauth/callback/", views.callback, name="callback"),
    path("bind/", views.bind_phone, name="bind"),
    path("bind/code/", views.bind_code, name="bind_code"),
    path("unbind/", views.unbind, name="unbind"),
    path("notify-by/", views.notify_by, name="notify_by"),
    path("server/", views.server, name="server"),
]
