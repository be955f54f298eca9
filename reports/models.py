"""Snapshots of the weekly late-dossier report."""
