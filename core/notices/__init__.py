"""Notices: SMS and email to citizens, written as outbox rows and sent by Celery.

- `rendering`: one function renders `templates/notices/<key>/{sms.txt,subject.txt,body.txt,
  body.html}`; SMS text is folded to GSM-7 ("khong dau") unless NOTICE_SMS_UNICODE is on.
- `registry`: the notice kinds apps declare in their `notices.py` (label, sample data).
- `sms`, `email`: the channels; SMS backends are console, file and a generic HTTP gateway.
- `services`: create (inside the event's transaction), dispatch (on commit), send (the task's
  body), retry (staff), redispatch (the beat job), delivery receipts.
- `selectors`: what pages and /healthz read.

See docs/adr/0003-notice-outbox.md for the no-duplicate guarantee.
"""
