"""``wijkdata mail``: one message per recipient with the profiles of their areas.

The ``mail:`` section of a region config is validated in :mod:`wijkdata.core.mail_settings`.
"""
