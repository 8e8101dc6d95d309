"""Settings an admin changes while the instance runs (deployment settings stay in the
environment, casework/config.py).

site_settings.py  on/off settings with their deployment default, a short per-process cache,
                  and the audited change (the public licence check is the first)
"""
