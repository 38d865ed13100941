"""The one schema for web and Research API data: the typed items (items.py) and the data
dictionary generated from them (dictionary.py, docs/SCHEMA.md)."""
