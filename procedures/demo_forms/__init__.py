"""Sample form PDFs for the demo catalogue; see generate.py."""
