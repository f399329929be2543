"""Signals of accounts, for file clean-up in the layers above (house style: signals only for
file clean-up and cache busting).

`avatar_released(asset_id=...)`: sent after commit when a user lets go of their profile
picture without replacing it (an account deleted); media deletes the picture if nobody else
uses it."""

from django.dispatch import Signal

avatar_released = Signal()
