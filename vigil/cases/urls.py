from django.urls import path

from vigil.cases import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:case_id>/record.pdf", views.case_pdf, name="case_pdf"),
    path("cases/<int:case_id>/notes/", views.note_add, name="note_add"),
    path("cases/<int:case_id>/tasks/", views.task_add, name="task_add"),
    path("cases/<int:case_id>/defenders/new/", views.defender_create, name="defender_create"),
    path("cases/<int:case_id>/incidents/new/", views.incident_create, name="incident_create"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("defenders/<int:defender_id>/edit/", views.defender_edit, name="defender_edit"),
    path("defenders/<int:defender_id>/relations/new/", views.relation_add, name="relation_add"),
    path("acts/<int:act_id>/edit/", views.act_edit, name="act_edit"),
    path("sources/<int:source_id>/edit/", views.source_edit, name="source_edit"),
    path("incidents/<int:incident_id>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<int:incident_id>/acts/new/", views.act_create, name="act_create"),
    path("incidents/<int:incident_id>/sources/new/", views.source_create, name="source_create"),
    path("acts/<int:act_id>/verify/", views.act_verify, name="act_verify"),
    path("incidents/<int:incident_id>/evidence/new/", views.evidence_add, name="evidence_add"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
]
