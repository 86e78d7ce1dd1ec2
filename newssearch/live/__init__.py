"""Following feeds as they grow: fetching (:mod:`.fetch`, a polite and
bounded HTTP client), saved searches and the alerts they raise
(:mod:`.saved`), and the follower that polls feeds, indexes what is new and
matches it against the saved searches.
"""
