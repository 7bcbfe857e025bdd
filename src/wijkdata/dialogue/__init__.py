"""Data – dialoog – doen: the conversation around a profile.

``network`` holds the local partner lists (sociale kaart), ``records`` what a session agreed
(speerpunten), ``practices`` the curated good practices, ``extras`` what all of that adds to a
profile, and ``kit`` the session kit (handout, 16:9 deck, network page, agenda). The region
config keys (``dialogue:``, ``network:``) are validated in :mod:`wijkdata.core.dialogue_settings`.
"""
