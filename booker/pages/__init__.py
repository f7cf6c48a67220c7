"""Page objects of a portal, their locators read from the profile."""

from .base import Page, PageError
from .form import ReservationForm
from .login import LoginFailed, LoginPage
from .reservations import ReservationList

__all__ = ["LoginFailed", "LoginPage", "Page", "PageError", "ReservationForm", "ReservationList"]
