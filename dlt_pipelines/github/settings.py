"""Constants of the GitHub REST API (https://docs.github.com/en/rest): users, their public repos
and each repo's languages."""

from datetime import timedelta

API_NAME = "GitHub"
KEY_VARIABLE = "GITHUB_TOKEN"
REAL_BASE_URL = "https://api.github.com"
USER_PATH = "/users/{login}"
REPOS_PATH = "/users/{login}/repos"
LANGUAGES_PATH = "/repos/{owner}/{repo}/languages"
ACCEPT = "application/vnd.github+json"
API_VERSION = "2022-11-28"  # X-GitHub-Api-Version
PER_PAGE = 100  # the API's maximum per page of /users/{login}/repos
MAX_PAGES = 50  # per listing: a guard against a server whose Link header never ends
# Primary rate limits: 60 requests an hour without a token (per IP), 5,000 with one. A 304 answer to
# a conditional request costs nothing when authorised.
ANONYMOUS_PER_HOUR = 60
TOKEN_PER_HOUR = 5000
BATCH_SIZE = 1000  # profiles refreshed per run, the stalest first
STALE_AFTER = timedelta(hours=24)  # a profile older than this warns (freshness)
