from django.urls import path

from . import views

app_name = "kiosk"

urlpatterns = [
    path("", views.home, name="home"),
    path("setup/", views.setup, name="setup"),
    path("language/", views.language, name="language"),
    path("touch/", views.touch, name="touch"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("menu/", views.menu, name="menu"),
    path("renew/", views.renew, name="renew"),
    path("renew/<int:pk>/materials/", views.renew_materials, name="renew_materials"),
    path("renew/<int:pk>/confirm/", views.renew_confirm, name="renew_confirm"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("documents/<int:pk>/", views.document, name="document"),
]
