"""`python -m tiktok browse DATA_DIR`: tiktok.db in Datasette, the SQLite explorer researchers
already use, with the data dictionary as its metadata, covers as images and the study's
questions as canned queries. Datasette is imported only by `serve`."""
