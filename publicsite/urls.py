from django.urls import path

from publicsite import views

urlpatterns = [
    path("", views.home, name="home"),
    path("policy/", views.policy, name="policy"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/submitted/", views.complaint_submitted, name="complaint-submitted"),
    path("track/", views.track_lookup, name="track-lookup"),
    path("track/<str:token>/", views.track_case, name="track-case"),
    path("track/<str:token>/reply/", views.track_reply, name="track-reply"),
    path("track/<str:token>/accept/", views.track_accept, name="track-accept"),
    path("track/<str:token>/escalate/", views.track_escalate, name="track-escalate"),
    path("track/<str:token>/withdraw/", views.track_withdraw, name="track-withdraw"),
    path("track/<str:token>/rate/", views.track_rate, name="track-rate"),
    path("track/<str:token>/files/<int:pk>/", views.track_file, name="track-file"),
]
