"""Reference data for a real deployment: countries from CLDR, the ones offered, exchange rates.

countries.py     every CLDR country (which territories count, and why), their currencies, and
                 the origins and destinations admins offer (each change audited)
loading.py       `reference load`: what a new deployment needs to work, and no demo data
demo_rates.py    finding and removing the demo's invented rates from a live system
rates_csv.py     reading a central bank's rate file (date, currency, rate per US dollar)
rates_import.py  the plan an import would carry out (preview), then the import itself
"""
