"""Job URLs, mounted under /t/<team>/jobs/."""

from django.urls import path

from jobs import views

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("badge/", views.job_badge, name="job_badge"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/row/", views.job_row, name="job_row"),
    path("<int:job_id>/cancel/", views.job_cancel, name="job_cancel"),
    path("<int:job_id>/retry/", views.job_retry, name="job_retry"),
    path("<int:job_id>/results/retry/", views.job_results_retry, name="job_results_retry"),
    path("files/<int:file_id>/", views.job_file, name="job_file"),
]
