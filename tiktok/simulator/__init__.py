"""A local TikTok to build and test against (issue #2): web pages, internal API, CDN, Research API.

It shares no code with the product's parsers or items: it builds TikTok's shapes from
../shared/TIKTOK-FORMATS.md and the real samples, so a parser bug cannot hide behind a matching
simulator bug. The product never imports it.
"""
