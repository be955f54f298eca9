"""Models arrive with the feedback issue."""
