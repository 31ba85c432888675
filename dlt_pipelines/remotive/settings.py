"""Constants of the Remotive public API (https://remotive.com/api-documentation)."""

from datetime import timedelta

API_NAME = "Remotive"
KEY_VARIABLE = "REMOTIVE_BASE_URL"  # no key: a rejected call can only mean the wrong server
REAL_BASE_URL = "https://remotive.com"
SEARCH_PATH = "/api/remote-jobs"
ITEMS_KEY = "jobs"
ID_FIELD = "id"
TIME_FIELD = "publication_date"  # ISO-8601 without a zone: UTC
# The API asks for at most 4 calls a day ("excessive requests will be blocked").
MAX_CALLS_PER_DAY = 4
CALL_WINDOW = timedelta(hours=24)
# The board lists a job for about a month; hashes are kept that long so a re-listed posting is
# recognised, and an unknown one posted earlier was loaded before.
RETENTION = timedelta(days=35)
