"""The one door to Whoosh (being gathered here): :mod:`.errors` maps
Whoosh's exception types to newssearch's in one function."""
