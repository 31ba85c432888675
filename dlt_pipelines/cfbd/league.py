"""The sandbox's league: conferences, teams and every season's games with their results, a pure
function of (seed, season). The fake API (sandbox.py) serves them as of its clock.

30 FBS teams in four conferences and the independents, and six FCS teams. A season: weeks 1-4 and
12 non-conference (a few FCS opponents, some kickoff games at neutral sites), weeks 5-11
conference round robins (the six-team conferences finish in week 9 and play others after),
conference championships in week 13 (neutral), then bowls for teams with six wins, a four-team
playoff and the national championship (postseason week 1, neutral). Ties happen only before 1996,
when FBS had no overtime; from 1996 an even score goes to overtime (a fifth line score).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from dlt_pipelines.sandbox.hashing import stream_key, text_salt, unit

OVERTIME_FROM = 1996  # FBS adopted overtime in 1996: no ties from then on
# id, name, short name, abbreviation, classification
CONFERENCES = [
    (8, "SEC", "Southeastern Conference", "SEC", "fbs"),
    (5, "Big Ten", "Big Ten Conference", "B1G", "fbs"),
    (1, "ACC", "Atlantic Coast Conference", "ACC", "fbs"),
    (17, "Mountain West", "Mountain West Conference", "MWC", "fbs"),
    (18, "FBS Independents", "FBS Independents", "Ind", "fbs"),
    (29, "Southern", "Southern Conference", "SOCON", "fcs"),
    (20, "Big Sky", "Big Sky Conference", "BSKY", "fcs"),
]
# id, school, mascot, abbreviation, conference, city, state, base strength (points above average)
TEAMS = [
    (333, "Alabama", "Crimson Tide", "ALA", "SEC", "Tuscaloosa", "AL", 17), (61, "Georgia", "Bulldogs", "UGA", "SEC",
     "Athens", "GA", 16), (99, "LSU", "Tigers", "LSU", "SEC", "Baton Rouge", "LA", 11),
    (2633, "Tennessee", "Volunteers", "TENN", "SEC", "Knoxville", "TN", 8), (57, "Florida", "Gators", "FLA", "SEC",
     "Gainesville", "FL", 5), (2, "Auburn", "Tigers", "AUB", "SEC", "Auburn", "AL", 4),
    (245, "Texas A&M", "Aggies", "TA&M", "SEC", "College Station", "TX", 7), (145, "Ole Miss", "Rebels", "MISS",
     "SEC", "Oxford", "MS", 6),
    (130, "Michigan", "Wolverines", "MICH", "Big Ten", "Ann Arbor", "MI", 15), (194, "Ohio State", "Buckeyes", "OSU",
     "Big Ten", "Columbus", "OH", 16), (213, "Penn State", "Nittany Lions", "PSU", "Big Ten", "University Park", "PA",
     11), (275, "Wisconsin", "Badgers", "WIS", "Big Ten", "Madison", "WI", 5),
    (2294, "Iowa", "Hawkeyes", "IOWA", "Big Ten", "Iowa City", "IA", 4), (135, "Minnesota", "Golden Gophers", "MINN",
     "Big Ten", "Minneapolis", "MN", 1), (356, "Illinois", "Fighting Illini", "ILL", "Big Ten", "Champaign", "IL", -1),
    (2509, "Purdue", "Boilermakers", "PUR", "Big Ten", "West Lafayette", "IN", -2),
    (228, "Clemson", "Tigers", "CLEM", "ACC", "Clemson", "SC", 12), (52, "Florida State", "Seminoles", "FSU", "ACC",
     "Tallahassee", "FL", 10), (2390, "Miami", "Hurricanes", "MIA", "ACC", "Coral Gables", "FL", 7),
    (153, "North Carolina", "Tar Heels", "UNC", "ACC", "Chapel Hill", "NC", 3), (97, "Louisville", "Cardinals", "LOU",
     "ACC", "Louisville", "KY", 3), (259, "Virginia Tech", "Hokies", "VT", "ACC", "Blacksburg", "VA", 0),
    (68, "Boise State", "Broncos", "BOIS", "Mountain West", "Boise", "ID", 4), (2005, "Air Force", "Falcons", "AFA",
     "Mountain West", "Colorado Springs", "CO", -1), (21, "San Diego State", "Aztecs", "SDSU", "Mountain West",
     "San Diego", "CA", -2), (278, "Fresno State", "Bulldogs", "FRES", "Mountain West", "Fresno", "CA", -1),
    (2751, "Wyoming", "Cowboys", "WYO", "Mountain West", "Laramie", "WY", -4), (36, "Colorado State", "Rams", "CSU",
     "Mountain West", "Fort Collins", "CO", -6),
    (87, "Notre Dame", "Fighting Irish", "ND", "FBS Independents", "South Bend", "IN", 12), (349, "Army",
     "Black Knights", "ARMY", "FBS Independents", "West Point", "NY", -3),
    (2382, "Mercer", "Bears", "MER", "Southern", "Macon", "GA", -20), (231, "Furman", "Paladins", "FUR", "Southern",
     "Greenville", "SC", -19), (236, "Chattanooga", "Mocs", "UTC", "Southern", "Chattanooga", "TN", -21),
    (149, "Montana", "Grizzlies", "MONT", "Big Sky", "Missoula", "MT", -18), (2692, "Weber State", "Wildcats", "WEB",
     "Big Sky", "Ogden", "UT", -22), (70, "Idaho", "Vandals", "IDHO", "Big Sky", "Moscow", "ID", -20),
]
CLASSIFICATION = {c[1]: c[4] for c in CONFERENCES}
BY_ID = {t[0]: t for t in TEAMS}
FBS = [t[0] for t in TEAMS if CLASSIFICATION[t[4]] == "fbs"]
FCS = [t[0] for t in TEAMS if CLASSIFICATION[t[4]] == "fcs"]
ROUND_ROBIN = ("SEC", "Big Ten", "ACC", "Mountain West")
NEUTRAL_VENUES = ("Mercedes-Benz Stadium", "AT&T Stadium", "Allegiant Stadium", "Caesars Superdome",
                  "Rose Bowl", "Hard Rock Stadium", "Camping World Stadium", "Lucas Oil Stadium")
BOWLS = ("Citrus Bowl", "Gator Bowl", "Music City Bowl", "Holiday Bowl", "Las Vegas Bowl", "Liberty Bowl",
         "Alamo Bowl", "Pinstripe Bowl", "Sun Bowl", "Independence Bowl", "Armed Forces Bowl", "Birmingham Bowl")
_STRENGTH, _SCORE, _SHUFFLE, _NEUTRAL, _TIME, _QUARTER = (text_salt(f"cfbd.{n}") for n in (
    "strength", "score", "shuffle", "neutral", "time", "quarter"))


@dataclass(frozen=True)
class Game:
    id: int
    season: int
    week: int
    season_type: str
    start: datetime
    home: int
    away: int
    neutral: bool
    notes: str | None
    home_quarters: tuple[int, ...]
    away_quarters: tuple[int, ...]

    @property
    def home_points(self) -> int:
        return sum(self.home_quarters)

    @property
    def away_points(self) -> int:
        return sum(self.away_quarters)

    @property
    def conference_game(self) -> bool:
        home, away = BY_ID[self.home][4], BY_ID[self.away][4]
        return self.season_type == "regular" and home == away and home != "FBS Independents"


def strength(seed: int, team: int, season: int) -> float:
    return BY_ID[team][7] + 8 * (unit(stream_key(seed, _STRENGTH), team * 10_000 + season) - 0.5)


def first_saturday(season: int) -> datetime:
    """Week 1's Saturday: the first on or after August 29."""
    day = datetime(season, 8, 29, tzinfo=timezone.utc)
    return day + timedelta(days=(5 - day.weekday()) % 7)


def _shuffled(seed: int, teams: list[int], salt: int) -> list[int]:
    key = stream_key(seed, _SHUFFLE)
    return sorted(teams, key=lambda t: unit(key, salt * 100_000 + t))


def _circle(teams: list[int]) -> list[list[tuple[int, int]]]:
    """Round robin rounds (circle method); home and away alternate."""
    rotating = list(teams)
    rounds = []
    for number in range(len(rotating) - 1):
        pairs = [(rotating[i], rotating[-1 - i]) for i in range(len(rotating) // 2)]
        rounds.append([(a, b) if (number + i) % 2 == 0 else (b, a) for i, (a, b) in enumerate(pairs)])
        rotating = [rotating[0], rotating[-1], *rotating[1:-1]]
    return rounds


def _quarters(seed: int, game_id: int, side: int, expected: float) -> list[int]:
    key = stream_key(seed, _SCORE)
    noise = sum(unit(key, game_id * 10 + side * 3 + k) for k in range(3)) - 1.5
    touchdowns = max(0, round(expected / 7 + noise * 1.6))
    goals = int(unit(key, game_id * 10 + side * 3 + 7) * 3.4)
    quarters = [0, 0, 0, 0]
    place = stream_key(seed, _QUARTER)
    for n, points in enumerate([7] * touchdowns + [3] * goals):
        quarters[int(unit(place, game_id * 100 + side * 50 + n) * 4)] += points
    return quarters


def _game(seed: int, season: int, number: int, week: int, kind: str, start: datetime, home: int, away: int,
          neutral: bool, notes: str | None = None) -> Game:
    game_id = 400_000_000 + (season - 1900) * 10_000 + number
    margin = strength(seed, home, season) - strength(seed, away, season) + (0 if neutral else 2.5)
    home_q = _quarters(seed, game_id, 0, 27 + margin / 2)
    away_q = _quarters(seed, game_id, 1, 27 - margin / 2)
    if sum(home_q) == sum(away_q) and season >= OVERTIME_FROM:
        home_wins = unit(stream_key(seed, _SCORE), game_id * 10 + 9) < 0.5
        home_q, away_q = home_q + [7 if home_wins else 0], away_q + [0 if home_wins else 7]
    return Game(game_id, season, week, kind, start, home, away, neutral, notes, tuple(home_q), tuple(away_q))


def _kickoff(seed: int, saturday: datetime, number: int) -> datetime:
    pick = unit(stream_key(seed, _TIME), number)
    if pick < 0.08:
        return saturday - timedelta(days=2) + timedelta(hours=23, minutes=30)  # Thursday night
    return saturday + timedelta(hours=(16, 19, 23, 2)[int(pick * 4) % 4] + (24 if pick > 0.9 else 0), minutes=30)


def _matched(pool: list[int], games: list[Game]) -> list[tuple[int, int]]:
    """Pairs of the pool, in its order, of teams of different conferences that have not met (no
    two FCS teams); a team left without an opponent has a bye."""
    met = {frozenset((g.home, g.away)) for g in games}
    free, pairs = list(pool), []
    while free:
        a = free.pop(0)
        b = next((t for t in free if frozenset((a, t)) not in met and not (a in FCS and t in FCS)
                  and (BY_ID[a][4] != BY_ID[t][4] or BY_ID[a][4] == "FBS Independents")), None)
        if b is not None:
            free.remove(b)
            pairs.append((a, b))
    return pairs


def _record(games: list[Game], team: int, conference_only: bool = False) -> tuple[int, int]:
    wins = losses = 0
    for g in games:
        if team not in (g.home, g.away) or conference_only and not g.conference_game:
            continue
        mine, theirs = (g.home_points, g.away_points) if g.home == team else (g.away_points, g.home_points)
        wins, losses = wins + (mine > theirs), losses + (mine < theirs)
    return wins, losses


@lru_cache(maxsize=64)
def season_games(seed: int, season: int) -> tuple[Game, ...]:
    """Every game of the season, results included (the API reveals them as the clock passes)."""
    games: list[Game] = []

    def add(week: int, kind: str, start: datetime, home: int, away: int, neutral: bool, notes: str | None = None):
        games.append(_game(seed, season, len(games), week, kind, start, home, away, neutral, notes))

    def pair(week: int, teams: list[int], allow_fcs: bool) -> None:
        saturday = first_saturday(season) + timedelta(weeks=week - 1)
        pool = _shuffled(seed, teams + (FCS if allow_fcs else []), season * 100 + week)
        for a, b in _matched(pool, games):
            home, away = (b, a) if a in FCS else (a, b)
            neutral = unit(stream_key(seed, _NEUTRAL), season * 10_000 + len(games)) < 0.06 and week <= 2
            add(week, "regular", _kickoff(seed, saturday, season * 1000 + len(games)), home, away, neutral)

    for week in (1, 2, 3, 4):
        pair(week, list(FBS), allow_fcs=week <= 3)
    for week in range(5, 12):
        saturday = first_saturday(season) + timedelta(weeks=week - 1)
        free = [t for t in FBS if BY_ID[t][4] not in ROUND_ROBIN]
        for conference in ROUND_ROBIN:
            members = [t for t in FBS if BY_ID[t][4] == conference]
            rounds = _circle(_shuffled(seed, members, season * 7 + len(members)))
            if week - 5 < len(rounds):
                for home, away in rounds[week - 5]:
                    add(week, "regular", _kickoff(seed, saturday, season * 1000 + len(games)), home, away, False)
            else:
                free += members
        for a, b in _matched(free, games):
            add(week, "regular", _kickoff(seed, saturday, season * 1000 + len(games)), a, b, False)
    pair(12, list(FBS), allow_fcs=False)
    title_day = first_saturday(season) + timedelta(weeks=12, hours=20)
    for n, conference in enumerate(ROUND_ROBIN):
        members = [t for t in FBS if BY_ID[t][4] == conference]
        ranked = sorted(members, key=lambda t: (_record(games, t, True), _record(games, t), strength(seed, t, season)),
                        reverse=True)
        add(13, "regular", title_day + timedelta(hours=n % 2 * 4), ranked[0], ranked[1], True,
            f"{conference} Championship")
    ranked = sorted(FBS, key=lambda t: (_record(games, t)[0], strength(seed, t, season)), reverse=True)
    eligible = [t for t in ranked if _record(games, t)[0] >= 6]
    playoff, bowls = eligible[:4], eligible[4:]
    bowl_day = datetime(season, 12, 16, 20, tzinfo=timezone.utc)
    for n, (a, b) in enumerate(zip(bowls[::2], bowls[1::2], strict=False)):
        add(1, "postseason", bowl_day + timedelta(days=n), a, b, True, BOWLS[n % len(BOWLS)])
    semis = datetime(season + 1, 1, 1, 21, tzinfo=timezone.utc)
    add(1, "postseason", semis, playoff[0], playoff[3], True, "CFP Semifinal")
    add(1, "postseason", semis + timedelta(hours=4), playoff[1], playoff[2], True, "CFP Semifinal")
    finalists = [g.home if g.home_points > g.away_points else g.away for g in games[-2:]]
    add(1, "postseason", datetime(season + 1, 1, 9, 0, 30, tzinfo=timezone.utc), finalists[0], finalists[1], True,
        "CFP National Championship")
    return tuple(games)


def announced(game: Game, games: tuple[Game, ...]) -> datetime:
    """When a game's teams are known: championship games and the postseason once the games that
    decide them are played; the rest of the schedule from before the season."""
    if game.notes == "CFP National Championship":
        return max(g.start for g in games if g.notes == "CFP Semifinal") + timedelta(hours=5)
    if game.season_type == "postseason" or game.week == 13:
        return max(g.start for g in games if g.week == 12 and g.season_type == "regular") + timedelta(hours=5)
    return datetime(game.season, 2, 1, tzinfo=timezone.utc)


def completed(game: Game, now: datetime) -> bool:
    return now >= game.start + timedelta(hours=4)
