"""The request bodies the benchmarks send."""

from __future__ import annotations


def complaint() -> dict[str, object]:
    """The same realistic complaint as tests/conftest.py `complaint_payload()`."""
    return {
        "language": "ne",
        "origin_country": "NP",
        "destination_country": "QA",
        "agency": {"name": "Himal Overseas Manpower", "licence_number": "1234/067/68"},
        "employer": {"name": "Doha Build Contracting"},
        "abuse_categories": ["RA_FEES", "FL_DOCS"],
        "fees": [
            {
                "category": "FEE_AGENT",
                "amount": "150000",
                "receipt_amount": "10000",
                "currency": "NPR",
                "paid_on": "2026-03-01",
                "payee": "agency",
            }
        ],
        "recruitment_channel": "agency",
        "promised_monthly_wage": {"amount": "1200", "currency": "QAR"},
        "actual_monthly_wage": {"amount": "800", "currency": "QAR"},
        "departure_date": "2026-04-01",
        "incident_date": "2026-06-01",
        "narrative": "The agent took my passport and charged me 150000 rupees.",
        "contact": {
            "name": "Ram Bahadur Test",
            "phone": "+977 9812345678",
            "channel": "whatsapp",
            "safe_times": "evenings",
        },
        "consent": {"share_with_partners": True, "share_across_borders": True},
    }
