"""tiktok: collect TikTok data for research (Scrapy spiders, typed items, pipelines, analysis)."""
