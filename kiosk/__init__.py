"""The station kiosk (seed 002: Haikou puts self-service machines in the city; issue 17).

A touch screen at a police station, enabled per device by a supervisor: the device holds a token
bound to its station (``KioskDevice``; revocable), and every page under ``/kiosk/`` refuses a
browser without a live one. People sign in with their phone number and an SMS code (no password
is typed at a public machine), renew (endorse) a permit or look up their applications, confirm a
submission with another SMS code, and print an acknowledgement. A session ends after
``KIOSK_IDLE_SECONDS`` without a touch; kiosk pages are never cached and sign-out leaves nothing of
the person in the browser.
"""
