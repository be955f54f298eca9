"""Dossier views, one module per audience: staff screens, slips, the public look-up."""
