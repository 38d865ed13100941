"""The TikTok Research API: credentials and tokens, queries, quota and progress kept across runs."""
