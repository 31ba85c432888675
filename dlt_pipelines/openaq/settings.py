"""Constants of the OpenAQ v3 API (https://docs.openaq.org): hourly air-quality values by sensor."""

from datetime import timedelta

API_NAME = "OpenAQ"
KEY_VARIABLE = "OPENAQ_API_KEY"
KEY_HEADER = "X-API-Key"
REAL_BASE_URL = "https://api.openaq.org"
LOCATIONS_PATH = "/v3/locations"
LOCATION_PATH = "/v3/locations/{location_id}"
SENSORS_PATH = "/v3/locations/{location_id}/sensors"
# hourly averages; the raw `/v3/sensors/{id}/measurements` serves the sensor's own interval (e.g. 30 min)
HOURS_PATH = "/v3/sensors/{sensor_id}/hours"
ITEMS_KEY = "results"
ID_FIELD = "id"
PAGE_LIMIT = 1000  # `limit` per page (the API allows up to 1000)
MAX_PAGES = 50  # per listing, a guard against a server that never sends a short page
# The free plan: 60 requests a minute and 2,000 an hour. The session spaces requests to the
# per-minute limit; the `x-ratelimit-*` headers each response carries are honoured on top.
FREE_PLAN_PER_MINUTE = 60
FREE_PLAN_PER_HOUR = 2000
MAX_RATE_LIMIT_WAIT = timedelta(minutes=5)  # longer waits than this stop the run (resumed next run)
