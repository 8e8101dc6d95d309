"""Notifications: in-app messages for staff, daily digests and a content-free e-mail outbox.

notify.py    notify staff: the rows of in-app notifications and urgent e-mails (also the scan's)
inbox.py     a user's notifications: unread count, the latest in their language, mark read
digests.py   one digest e-mail per user per day (the "digests" job)
outbox.py    sending the queued e-mails with back-off (the "outbox" job)
texts.py     what notifications and e-mails say, in whose language (content-free)
mail.py      sending over SMTP (nothing personal logged)
"""
