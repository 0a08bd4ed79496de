"""Mentors' calendars: busy time from Calendly and from iCalendar feeds.

A mentor (or staff on their behalf) connects a Calendly personal access token or the secret
address of an iCalendar feed (:mod:`.connections`); the secret is encrypted at rest with a
key kept apart from the database (:mod:`.crypto`). A refresh (:mod:`.refresh`, run by the
worker, on demand and from the command line) reads busy ranges for the next
``CALENDAR_HORIZON_DAYS`` (:mod:`.calendly`, :mod:`.feeds`) into ``calendar_busy``
(:mod:`.busy`); the council document lists them beside the mentor's confirmed councils, so
the engine never seats a busy mentor. Invitations pre-fill answers from them
(:mod:`.prefill`), and a busy range over a slot a mentor answered available raises a
possible-conflict alert (:mod:`.conflicts`).
"""
