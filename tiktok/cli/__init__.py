"""What `python -m tiktok` (tiktok/__main__.py) shares between its commands: argument checks."""
