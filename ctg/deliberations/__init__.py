"""Délibérations and rapports, the communes' pre-filled forms, the dossiers sent to the councils."""
