"""What is read out of stored media after collection: the text on covers (ocr.py) and transcripts
from captions (captions.py). The pipelines call them during a crawl, `python -m tiktok ocr` after."""
