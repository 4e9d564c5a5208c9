from django.urls import path

from complaints import views

urlpatterns = [
    path("", views.home, name="home"),
    path("policy/", views.policy, name="policy"),
    path("track/<str:token>/", views.track_case, name="track-case"),
]
