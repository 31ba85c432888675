"""Constants of the JSearch API (RapidAPI), as documented by the provider."""

API_NAME = "JSearch (RapidAPI)"
KEY_VARIABLE = "RAPIDAPI_KEY"
REAL_BASE_URL = "https://jsearch.p.rapidapi.com"
RAPIDAPI_HOST = "jsearch.p.rapidapi.com"
SEARCH_PATH = "/search"
ID_FIELD = "job_id"  # the posting id of every item
PAGE_SIZE = 10  # items per page; `num_pages` pages come back in one response

# `date_posted` windows the API accepts, narrowest first, with the age each one covers.
DATE_WINDOWS: tuple[tuple[str, float], ...] = (
    ("today", 24 * 3600),
    ("3days", 3 * 24 * 3600),
    ("week", 7 * 24 * 3600),
    ("month", 30 * 24 * 3600),
)
ALL_DATES = "all"

# Fields whose value changes while the posting does not ("3 days ago"): left out of the
# change hash so a rerun does not reload a posting only because a day passed.
VOLATILE_FIELDS = frozenset({"job_posted_at"})
