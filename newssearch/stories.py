"""Story grouping: moved to :mod:`newssearch.write.stories`.

This path keeps working until newssearch 0.3, with a DeprecationWarning
(:mod:`newssearch.deprecation`).
"""

from __future__ import annotations

from .deprecation import moved_names

__getattr__ = moved_names(
    __name__,
    {
        "REPUBLISHED": "newssearch.write.stories",
        "SAME_STORY_WITHIN": "newssearch.write.stories",
        "KnownStories": "newssearch.write.stories",
        "StoryGrouper": "newssearch.write.stories",
        "same_story": "newssearch.write.stories",
        "story_label": "newssearch.write.stories",
    },
)
