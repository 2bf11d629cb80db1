from django.urls import path

from flokk.strategy.views import goals, plan, strategy

app_name = "strategy"

org = "o/<slug:org>/"
urlpatterns = [
    path(org + "strategy/", strategy.overview, name="overview"),
    path(org + "strategy/edit/", strategy.edit, name="edit"),
    path(org + "strategy/versions/<uuid:version_id>/", strategy.version_detail, name="version"),
    path(org + "goals/", goals.goal_list, name="goals"),
    path(org + "goals/new/", goals.goal_create, name="goal_create"),
    path(org + "goals/<uuid:goal_id>/", goals.goal_detail, name="goal_detail"),
    path(org + "goals/<uuid:goal_id>/edit/", goals.goal_edit, name="goal_edit"),
    path(org + "goals/<uuid:goal_id>/delete/", goals.goal_delete, name="goal_delete"),
    path(org + "goals/<uuid:goal_id>/kpis/", goals.kpi_create, name="kpi_create"),
    path(org + "kpis/<uuid:kpi_id>/remove/", goals.kpi_remove, name="kpi_remove"),
    path(org + "kpis/<uuid:kpi_id>/milestones/", goals.milestone_create, name="milestone_create"),
    path(org + "milestones/<uuid:milestone_id>/remove/", goals.milestone_remove, name="milestone_remove"),
    path(org + "kpis/<uuid:kpi_id>/measurements/", goals.measurement_create, name="measurement_create"),
    path(org + "plan/", plan.plan, name="plan"),
    path(org + "plan/resources/", plan.resource_create, name="resource_create"),
    path(org + "plan/resources/<uuid:resource_id>/remove/", plan.resource_remove, name="resource_remove"),
    path(org + "plan/items/", plan.item_create, name="item_create"),
    path(org + "plan/items/<uuid:item_id>/remove/", plan.item_remove, name="item_remove"),
    path(org + "plan/frequency/", plan.frequency_set, name="frequency_set"),
]
