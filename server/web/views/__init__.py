"""The saved views: queries/views/ as pages, CSV and JSON (/views/)."""
