"""Posts as CSV: the export/import page, the export download and the import with its report."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from flokk.content.forms.csv_posts import CsvExportForm, CsvImportForm
from flokk.content.services.csv_posts import CsvFileError, export_posts, import_posts, posts_for_export
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


def _page(
    request: OrgRequest,
    *,
    export_form: CsvExportForm | None = None,
    import_form: CsvImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "export_form": export_form or CsvExportForm(organization=request.org),
        "import_form": import_form or CsvImportForm(),
    }
    return render_page(request, "content/pages/posts_csv.html", context, status=status)


@require_GET
@org_permission("production.view")
def posts_csv(request: OrgRequest) -> HttpResponse:
    return _page(request)


@require_GET
@org_permission("production.view")
def posts_export(request: OrgRequest) -> HttpResponse:
    form = CsvExportForm(request.GET, organization=request.org)
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    data = form.cleaned_data
    posts = posts_for_export(
        request.org,
        since=data["since"],
        until=data["until"],
        status=data["status"],
        campaign=data["campaign"],
    )
    response = HttpResponse(export_posts(request.org, posts), content_type="text/csv; charset=utf-8")
    filename = f"posts-{request.org.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@org_permission("production.work")
def posts_import(request: OrgRequest) -> HttpResponse:
    form = CsvImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    try:
        report = import_posts(request.org, form.cleaned_data["file"].read(), actor=request.user)
    except CsvFileError as error:
        form.add_error("file", str(error))
        return _page(request, import_form=form, status=400)
    return render_page(request, "content/pages/posts_import_report.html", {"report": report})
