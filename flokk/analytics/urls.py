from flokk.analytics.views import dashboard, insights, links, reports

app_name = "analytics"

# Each views module lists its own pages (org pages under `o/<slug:org>/analytics/`).
urlpatterns = [*dashboard.urlpatterns, *links.urlpatterns, *insights.urlpatterns, *reports.urlpatterns]
