"""Public catalogue pages: list and search, a procedure's page, form downloads."""

import os
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from . import selectors
from .forms import CatalogueSearchForm


@login_not_required
@require_safe
def procedure_list(request):
    form = CatalogueSearchForm(request.GET or None, fields=selectors.field_choices())
    values = form.search_values() if form.is_bound else {}
    page = selectors.procedure_page(
        **values, page=request.GET.get("page"), page_size=settings.CATALOGUE_PAGE_SIZE
    )
    # Page links carry the valid search values only, never what was ignored.
    kept = {
        name: value
        for name, value in (
            ("q", values.get("query")),
            ("field", values.get("field")),
            ("online", values.get("online_level")),
        )
        if value
    }
    return render(
        request,
        "procedures/procedure_list.html",
        {
            "form": form,
            "page_obj": page,
            "procedures": page.object_list,
            "is_filtered": bool(kept),
            "search_query": values.get("query", ""),
            "page_querystring": urlencode(kept),
            "ignored_messages": form.ignored_messages() if form.is_bound else [],
        },
    )


@login_not_required
@require_safe
def procedure_detail(request, code):
    procedure = selectors.procedure_detail(code=code)
    if procedure is None:
        raise Http404
    return render(
        request,
        "procedures/procedure_detail.html",
        {"procedure": procedure, "today": timezone.localdate()},
    )


@login_not_required
@require_safe
def component_form(request, code, component_id):
    """Download a form of a published procedure, as an attachment under its own file name."""
    component = selectors.component_form(code=code, component_id=component_id)
    if component is None:
        raise Http404
    try:
        handle = component.form_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(component.form_file.name)
    )
