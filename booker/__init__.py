"""The booking engine: portal profiles, browser sessions, clock sync, release timing.

Importable without Django: ``from booker.engine import BookingEngine``.
"""
