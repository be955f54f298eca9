"""Models arrive with the satisfaction issue."""
