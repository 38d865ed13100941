"""What `scrapyd-deploy` (scrapy.cfg [deploy]) ships as the project's egg: the collector only.

The simulator (tiktok.simulator) stays in the checkout, importable for the README's commands and
the tests, but is left out of the egg: a deployed crawler talks to the real TikTok and must not
carry a fake one. The tests are left out too.
"""

from setuptools import find_packages, setup

SHIPPED = find_packages(include=["tiktok", "tiktok.*"], exclude=["tiktok.simulator", "tiktok.simulator.*"])

if __name__ == "__main__":
    setup(name="tiktok", version="0.1.0", packages=SHIPPED, entry_points={"scrapy": ["settings = tiktok.settings"]})
