"""The commands of `python -m tiktok` (tiktok/__main__.py) beside its parser: argument checks
(checks.py), the analysis commands (analysis.py), the run listing (runs.py) and the commands of a
crawl shared through Redis (scale.py). They sit above the components they drive, so no component
imports them."""
