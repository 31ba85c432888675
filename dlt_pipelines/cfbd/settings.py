"""Constants of the CollegeFootballData API v2 (https://api.collegefootballdata.com, camelCase fields)."""

from datetime import timedelta

API_NAME = "CollegeFootballData"
KEY_VARIABLE = "CFBD_API_KEY"
REAL_BASE_URL = "https://api.collegefootballdata.com"
GAMES_PATH = "/games"  # year, seasonType (regular | postseason), week, classification, conference
BOX_SCORES_PATH = "/games/teams"  # year and week (or team / conference), seasonType, classification
TEAMS_PATH = "/teams"  # every team of every division
FBS_TEAMS_PATH = "/teams/fbs"  # year: the FBS members of a season
CONFERENCES_PATH = "/conferences"
RANKINGS_PATH = "/rankings"  # year, seasonType: every week's polls
ID_FIELD = "id"
QUOTA_HEADER = "X-CallLimit-Remaining"
FREE_TIER_CALLS_PER_MONTH = 1000
SEASON_TYPES = ("regular", "postseason")
# A season (its bowls and playoff in January included) is finished from this day of the next year:
# it is then loaded once more, whole, and never again.
FINISHED_FROM = (2, 15)  # (month, day) of season + 1
SEASON_STARTS = (8, 1)  # (month, day): a season has not started before this day of its year
REFERENCE_MAX_AGE = timedelta(days=7)  # /teams, /conferences and the current season's FBS list
# v1 spelled fields in snake_case; a response or capture with these keys is v1's
V1_KEYS = frozenset({"home_team", "away_team", "season_type", "start_date", "home_points", "away_points",
                     "home_id", "conference_game", "neutral_site"})
