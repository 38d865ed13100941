"""The item pipelines, in the order settings.ITEM_PIPELINES runs them: validate, deduplicate,
(media, OCR, captions), write. Each switches off with its TIKTOK_<NAME>_ENABLED setting; the data
store they share is the run context's (tiktok/extensions/runlog.py)."""
