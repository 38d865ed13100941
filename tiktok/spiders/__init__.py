"""Spiders (`scrapy crawl NAME`): they decide what to fetch next; parsing and storage live elsewhere."""
