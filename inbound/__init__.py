"""Inbound email: complaints and replies by email, auto-replies and bounces (issue 7).

Two ways in, one service: the IMAP poll (imap.py, a beat job) and an ESP's inbound webhook
(webhook.py, django-anymail) both hand the raw message to services.inbound_email_process.
"""
