"""Scrapy middlewares of the project, one per file: downloader middlewares (Retry-After, the
Research API's token and answers) and spider middlewares (the server's time on page items)."""
