"""Notifications: in-app messages for staff, daily digests and a content-free e-mail outbox.

operations.py  notify, read, digests, the outbox
mail.py        sending over SMTP (nothing personal logged)
"""
