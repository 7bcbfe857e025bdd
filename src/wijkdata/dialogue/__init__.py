"""Data – dialoog – doen: the conversation around a profile.

``settings`` holds the region config keys (``dialogue:``, ``network:``), ``network`` the local
partner lists (sociale kaart), ``records`` what a session agreed (speerpunten), ``practices``
the curated good practices, ``extras`` what all of that adds to a profile, and ``kit`` the
session kit (handout, 16:9 deck, network page, agenda). This package imports nothing heavy at
import time, because ``config`` imports ``settings``.
"""
