{#- Conference standings per season: every FBS member of a conference (its conference that
    season) with its conference record in regular-season conference games (the conference
    championship game excluded) and its overall record. Independents have no standings.

    Tiebreak, in this order (documented in _college_football__models.yml): conference win
    percentage; conference wins; point differential in conference games; overall win percentage;
    school name (alphabetical, so the order is always defined). Head-to-head is not used: with
    three or more tied teams it is ill-defined without conference-specific rules. -#}

with

members as (
    select
        season,
        team_id,
        school,
        conference
    from {{ ref('stg_cfbd__fbs_teams') }}
    where conference is not null and conference <> 'FBS Independents'
),

team_games as (
    select
        season,
        team_id,
        result,
        point_margin,
        is_conference_game,
        is_conference_championship,
        season_type
    from {{ ref('int_team_games') }}
    where is_completed
),

tallies as (
    select
        members.season,
        members.team_id,
        count(
            team_games.result) filter (
            where team_games.is_conference_game and team_games.season_type = 'regular'
            and not team_games.is_conference_championship
        ) as conference_games,
        count(
            *) filter (
            where team_games.result = 'W' and team_games.is_conference_game
            and team_games.season_type = 'regular' and not team_games.is_conference_championship
        ) as conference_wins,
        count(
            *) filter (
            where team_games.result = 'L' and team_games.is_conference_game
            and team_games.season_type = 'regular' and not team_games.is_conference_championship
        ) as conference_losses,
        count(
            *) filter (
            where team_games.result = 'T' and team_games.is_conference_game
            and team_games.season_type = 'regular' and not team_games.is_conference_championship
        ) as conference_ties,
        coalesce(sum(
            team_games.point_margin) filter (
            where team_games.is_conference_game
            and team_games.season_type = 'regular' and not team_games.is_conference_championship
        ), 0)
            as conference_point_differential,
        count(team_games.result) as games,
        count(*) filter (where team_games.result = 'W') as wins,
        count(*) filter (where team_games.result = 'L') as losses,
        count(*) filter (where team_games.result = 'T') as ties  -- noqa: RF04
    from members
    left join team_games
        on members.season = team_games.season and members.team_id = team_games.team_id
    group by members.season, members.team_id
),

records as (
    select
        members.season,
        members.conference,
        members.team_id,
        members.school,
        tallies.conference_games,
        tallies.conference_wins,
        tallies.conference_losses,
        tallies.conference_ties,
        round(
            (tallies.conference_wins + 0.5 * tallies.conference_ties)::numeric
            / nullif(tallies.conference_games, 0), 4
        ) as conference_win_pct,
        tallies.conference_point_differential,
        tallies.games,
        tallies.wins,
        tallies.losses,
        tallies.ties,
        round((tallies.wins + 0.5 * tallies.ties)::numeric / nullif(tallies.games, 0), 4) as win_pct
    from members
    inner join tallies on members.season = tallies.season and members.team_id = tallies.team_id
),

final as (
    select
        season,
        conference,
        row_number() over (
            partition by season, conference
            order by
                coalesce(conference_win_pct, 0) desc, conference_wins desc, conference_point_differential desc,
                coalesce(win_pct, 0) desc, school asc
        ) as standing,
        team_id,
        school,
        conference_games,
        conference_wins,
        conference_losses,
        conference_ties,
        conference_win_pct,
        conference_point_differential,
        games,
        wins,
        losses,
        ties,
        win_pct
    from records
)

select * from final
