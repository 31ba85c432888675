"""Constants of the Adzuna search API (https://developer.adzuna.com/docs/search)."""

from datetime import timedelta

API_NAME = "Adzuna"
KEY_VARIABLE = "ADZUNA_APP_ID and ADZUNA_APP_KEY"
REAL_BASE_URL = "https://api.adzuna.com"
SEARCH_PATH = "/v1/api/jobs/{country}/search/{page}"
ITEMS_KEY = "results"
ID_FIELD = "id"
TIME_FIELD = "created"  # ISO-8601 with Z
MAX_RESULTS_PER_PAGE = 50
SORT_BY = "date"
# The redirect link and its ad reference carry the search they came from: they change on every
# call while the posting does not, so they are left out of the change hash.
VOLATILE_FIELDS = frozenset({"adref", "redirect_url"})
RETENTION = timedelta(days=35)  # hashes kept this long
