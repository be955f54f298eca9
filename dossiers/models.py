"""Models arrive with the dossiers issue."""
