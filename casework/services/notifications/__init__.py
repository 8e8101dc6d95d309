"""Notifications: in-app messages for staff, daily digests, a content-free e-mail outbox, and
content-free nudges to workers.

notify.py    notify staff: the rows of in-app notifications and urgent e-mails (also the scan's)
inbox.py     a user's notifications: unread count, the latest in their language, mark read
digests.py   one digest e-mail per user per day (the "digests" job)
outbox.py    sending the queued e-mails with back-off (the "outbox" job)
texts.py     what notifications and e-mails say, in whose language (content-free)
mail.py      sending over SMTP (nothing personal logged)
nudges.py    workers' opt-in to content-free "there is news" texts: news, stop, what staff see
nudge_delivery.py the "nudges" job: due nudges queued inside safe hours, sent with retries
safe_hours.py the worker's safe hours and time zone: when a nudge may go
sms_gateway.py sending a text through the generic HTTP SMS gateway (nothing personal logged)
"""
