"""Thin views: the search box over the registries, and one agency's file."""

from __future__ import annotations

from flask import render_template, request

from casework.blueprints.agencies import bp
from casework.services.agencies.agency_file import agency_file
from casework.services.agencies.registry_search import registry_countries, search_registry
from casework.staff_session import staff


@bp.get("/")
def search() -> str:
    typed = request.args.get("q", "")[:100]
    countries = registry_countries()
    country = request.args.get("country", "").upper()
    country = country if country in countries else ""
    return render_template(
        "agencies/search.html",
        typed=typed,
        country=country,
        countries=countries,
        found=search_registry(typed, country),
    )


@bp.get("/<int:entry_id>")
def detail(entry_id: int) -> str:
    return render_template("agencies/detail.html", file=agency_file(staff(), entry_id))
