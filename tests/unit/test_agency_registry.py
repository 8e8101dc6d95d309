"""Registries of licensed agencies: licence numbers in any script, lists' status words,
import and re-import with history, and complaints' agencies matched to the registry."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from flask import Flask
from openpyxl import Workbook

from casework.models import RegistryAgency
from casework.models.registry import BANNED, CANCELLED, DELISTED, SUSPENDED, VALID
from casework.services.actors import SystemActor
from casework.services.agencies.lists import parse_column_map, read_agency_list
from casework.services.agencies.normalise import licence_key, name_key, status_of
from casework.services.agencies.registry_import import ImportResult, import_agency_list
from casework.services.agencies.status import status_on
from casework.services.errors import InvalidInput
from tests.conftest import case_by_reference

ACTOR = SystemActor("test")
HEADER = "licence_number,name,status,status_date,valid_until,aliases\n"


def _import(csv_text: str, country: str = "NP", source: str = "DoFE list") -> ImportResult:
    return import_agency_list(ACTOR, country, source, read_agency_list(csv_text.encode()))


def _entry(licence: str, country: str = "NP") -> RegistryAgency:
    from sqlalchemy import select

    from casework.extensions import db

    db.session.expire_all()
    return db.session.scalars(
        select(RegistryAgency).where(
            RegistryAgency.country == country, RegistryAgency.licence_key == licence_key(licence)
        )
    ).one()


@pytest.mark.parametrize(
    "written",
    [
        "१२३४/०६७/६८",
        "1234/067/68",
        "1234-067-68",
        " 1234 / 067 / 68 ",
        "١٢٣٤/٠٦٧/٦٨",
        "۱۲۳۴-۰۶۷-۶۸",
    ],
)
def test_licence_numbers_compare_across_scripts_and_punctuation(written: str) -> None:
    assert licence_key(written) == licence_key("1234/067/68") == "123406768"


def test_licence_letters_fold_case_and_width() -> None:
    assert licence_key("poea-001-lb") == licence_key("ＰＯＥＡ 001 LB") == "POEA001LB"


def test_names_lose_legal_forms_and_punctuation() -> None:
    assert (
        name_key("Sunrise Manpower Pvt. Ltd.")
        == name_key("SUNRISE  manpower")
        == "sunrise manpower"
    )


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Valid", VALID),
        ("Suspended", SUSPENDED),
        ("Cancelled", CANCELLED),
        ("Delisted", DELISTED),
        ("Forever Banned", BANNED),
        ("FOREVER  BANNED", BANNED),
        ("Active", VALID),
        ("revoked", CANCELLED),
        ("Blacklisted", BANNED),
    ],
)
def test_status_words_of_the_lists_are_understood(word: str, status: str) -> None:
    assert status_of(word) == status


def test_a_status_word_we_do_not_know_refuses_the_row_not_the_list(app: Flask) -> None:
    parsed = read_agency_list(
        (
            HEADER + "1/2,Alpha Manpower,Valid,,,\n2/3,Beta Overseas,Maybe,,,\n,Gamma,Valid,,,\n"
        ).encode()
    )
    assert [row.name for row in parsed.rows] == ["Alpha Manpower"]
    assert [line for line, _ in parsed.errors] == [3, 4]
    assert "Maybe" in parsed.errors[0][1]


def test_a_list_without_the_required_columns_is_refused(app: Flask) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_agency_list(b"licence,agency\n1,Alpha\n")
    assert "licence_number" in str(refused.value.fields["file"])


def test_the_column_map_reads_a_list_with_its_own_names(app: Flask) -> None:
    raw = "License No.;Agency Name;License Status\nPOEA-001;Pacific Alpha Inc.;Forever Banned\n"
    mapping = parse_column_map("licence_number=License No.,name=Agency Name,status=License Status")
    parsed = read_agency_list(raw.encode(), mapping)
    assert [(r.licence_key, r.name, r.status) for r in parsed.rows] == [
        ("POEA001", "Pacific Alpha Inc.", BANNED)
    ]


def test_xlsx_lists_are_read_with_their_dates(app: Flask) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Licence_Number", "Name", "Status", "Valid_Until", "Ignored"])
    sheet.append([123406768, "Alpha Manpower", "Valid", date(2027, 1, 31), "x"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_agency_list(buffer.getvalue())
    assert parsed.errors == []
    assert parsed.rows[0].licence_number == "123406768"
    assert parsed.rows[0].valid_until == date(2027, 1, 31)


def test_reimport_updates_entries_and_keeps_status_history(app: Flask) -> None:
    first = _import(
        HEADER
        + "1234/067/68,Himal Alpha Manpower,Active,2024-08-01,2026-08-01,Himal Alpha\n"
        + "1101/070/71,Yeti Beta Overseas,Active,2025-02-10,2027-02-10,\n"
    )
    assert (first.added, first.updated) == (2, 0)
    second = _import(
        HEADER
        + "१२३४/०६७/६८,Himal Alpha Manpower,Suspended,2026-09-10,2026-08-01,Himal Alpha\n"
        + "1101-070-71,Yeti Beta Overseas,Active,2025-02-10,2027-02-10,\n",
        source="DoFE list 2026-11",
    )
    assert (second.added, second.updated, second.status_changes, second.unchanged) == (0, 1, 1, 1)
    himal = _entry("1234/067/68")
    assert himal.status == SUSPENDED
    assert [(c.status, c.status_from) for c in himal.history] == [
        (VALID, date(2024, 8, 1)),
        (SUSPENDED, date(2026, 9, 10)),
    ]
    assert status_on(himal, date(2026, 3, 15)) == VALID
    assert status_on(himal, date(2026, 8, 20)) == "expired"  # valid, but past its end date
    assert status_on(himal, date(2026, 10, 1)) == SUSPENDED
    assert status_on(himal, date(2020, 1, 1)) is None  # before anything we know


def test_matching_links_a_licence_number_written_in_devanagari(app: Flask, lodge: Any) -> None:
    _import(HEADER + "1234/067/68,Himal Alpha Manpower,Active,2024-08-01,2027-08-01,\n")
    lodged = lodge(agency={"name": "हिमाल", "licence_number": "१२३४/०६७/६८"})
    agency = case_by_reference(lodged.reference).agency
    assert agency is not None and agency.registry_agency is not None
    assert agency.registry_agency.name == "Himal Alpha Manpower"
    assert agency.match_state == "licence"


def test_matching_proposes_similar_names_and_import_rematches(app: Flask, lodge: Any) -> None:
    lodged = lodge(agency={"name": "Sunrise Gamma Manpower"})  # before the list is known
    assert case_by_reference(lodged.reference).agency.candidates == []  # type: ignore[union-attr]
    result = _import(
        HEADER
        + "5/1,Sunrise Gamma Manpower Pvt. Ltd.,Valid,,,\n"
        + "5/2,Sunrise Delta Recruiters,Valid,,,\n"
        + "5/3,Kathmandu Omega Services,Valid,,,\n"
    )
    assert result.linked == 0
    agency = case_by_reference(lodged.reference).agency
    assert agency is not None and agency.registry_agency is None
    names = [c.registry_agency.name for c in agency.candidates]
    assert names[0] == "Sunrise Gamma Manpower Pvt. Ltd."
    assert "Kathmandu Omega Services" not in names


def test_a_candidate_is_only_proposed_in_its_own_country(app: Flask, lodge: Any) -> None:
    _import(HEADER + "5/1,Sunrise Gamma Manpower,Valid,,,\n", country="PH")
    lodged = lodge(agency={"name": "Sunrise Gamma Manpower"})
    assert case_by_reference(lodged.reference).agency.candidates == []  # type: ignore[union-attr]


def test_the_command_imports_a_list_with_its_own_column_names(
    app: Flask, runner: Any, tmp_path: Any
) -> None:
    listing = tmp_path / "dmw.csv"
    listing.write_text(
        "License No.,Agency Name,License Status,Extra\n"
        "POEA-001-LB,Pacific Alpha Placement Inc.,Forever Banned,x\n"
        "POEA-002-LB,Narra Beta Manpower Corp.,Valid,y\n"
        "POEA-003-LB,Mayon Gamma Services,Retired?,z\n",
        encoding="utf-8",
    )
    mapping = "licence_number=License No.,name=Agency Name,status=License Status"
    args = ["agencies", "import", "--country", "ph", "--source", "DMW list", "--map", mapping]
    result = runner.invoke(args=[*args, str(listing)])
    assert result.exit_code == 0, result.output
    assert "PH (DMW list): 2 added, 0 updated" in result.output
    assert "line 4: unknown status “Retired?”" in result.output
    assert _entry("poea 001 lb", "PH").status == BANNED
    refused = runner.invoke(
        args=["agencies", "import", "--country", "PH", "--source", "x", str(listing)]
    )
    assert refused.exit_code != 0
    assert "nothing was changed" in refused.output


def test_the_demo_lists_are_loaded_once_with_a_history(app: Flask) -> None:
    from casework.services.agencies.demo_lists import load_demo_agency_lists

    assert load_demo_agency_lists() == 3
    assert load_demo_agency_lists() == 0
    himal = _entry("1234/067/68")
    assert [c.status for c in himal.history] == [VALID, SUSPENDED]
    assert "invented" in himal.source


def test_an_older_list_fills_the_history_and_leaves_today_alone(app: Flask) -> None:
    _import(HEADER + "1234/067/68,Himal Alpha Manpower,Suspended,2026-09-10,2026-08-01,\n")
    again = _import(HEADER + "1234/067/68,Himal Alpha Manpower,Active,2024-08-01,2026-08-01,\n")
    assert again.status_changes == 1
    himal = _entry("1234/067/68")
    assert himal.status == SUSPENDED
    assert status_on(himal, date(2025, 1, 1)) == VALID
    assert status_on(himal, date(2026, 10, 1)) == SUSPENDED
    assert _import(HEADER + "1234/067/68,Himal Alpha Manpower,Active,2024-08-01,,\n").unchanged == 1
