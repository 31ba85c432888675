"""Constants of the Arbeitnow job board API (https://www.arbeitnow.com/blog/job-board-api)."""

from datetime import timedelta

API_NAME = "Arbeitnow"
KEY_VARIABLE = "ARBEITNOW_BASE_URL"  # no key: a rejected call can only mean the wrong server
REAL_BASE_URL = "https://www.arbeitnow.com"
SEARCH_PATH = "/api/job-board-api"
ITEMS_KEY = "data"
NEXT_PAGE_PATH = "links.next"
ID_FIELD = "slug"
TIME_FIELD = "created_at"  # epoch seconds
MAX_PAGES = 100  # 100 postings a page
RETENTION = timedelta(days=35)  # hashes kept this long (the board lists a job for weeks)
