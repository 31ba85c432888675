{#- Team ratings per season, over its completed games:
    - Elo (int_game_elo): the rating before the team's first game of the season (after the
      regression to the mean) and after its last;
    - an SRS-style rating: the least-squares solution of margin = rating - opponent rating over
      every game (margins capped at cfbd_srs_margin_cap, 28 points), found by iterating
      rating = mean capped margin + mean opponent rating (cfbd_srs_iterations times), centred on
      zero each time; also the strength of schedule (mean opponent rating);
    - the Pythagorean expectation: PF^x / (PF^x + PA^x), x = cfbd_pythagorean_exponent (2.37, the
      usual college-football exponent), and the wins it implies over the games played. -#}

{%- set cap = var('cfbd_srs_margin_cap', 28) %}
{%- set iterations = var('cfbd_srs_iterations', 60) %}
{%- set exponent = var('cfbd_pythagorean_exponent', 2.37) %}

with recursive

team_games as (
    select
        season,
        team_id,
        team,
        classification,
        opponent_id,
        start_date,
        result,
        points_for,
        points_against,
        greatest(least(point_margin, {{ cap }}), -{{ cap }}) as capped_margin
    from {{ ref('int_team_games') }}
    where is_completed
),

margins as (
    select
        season,
        team_id,
        avg(capped_margin)::double precision as mean_margin
    from team_games
    group by season, team_id
),

srs (iteration, season, ratings) as (
    select
        0,
        season,
        jsonb_object_agg(team_id::text, mean_margin)
    from margins
    group by season
    union all
    select
        srs.iteration + 1,
        srs.season,
        (
            select jsonb_object_agg(centred.team_key, centred.rating)
            from (
                select
                    solved.team_key,
                    solved.rating - avg(solved.rating) over () as rating
                from (
                    select
                        team_games.team_id::text as team_key,
                        avg(team_games.capped_margin)
                        + avg(coalesce((srs.ratings ->> team_games.opponent_id::text)::double precision, 0)) as rating
                    from team_games
                    where team_games.season = srs.season
                    group by team_games.team_id
                ) as solved
            ) as centred
        )
    from srs
    where srs.iteration < {{ iterations }}
),

srs_ratings as (
    select
        srs.season,
        team.key::bigint as team_id,
        team.value::double precision as srs_rating
    from srs
    cross join lateral jsonb_each_text(srs.ratings) as team
    where srs.iteration = {{ iterations }}
),

schedule_strength as (
    select
        team_games.season,
        team_games.team_id,
        avg(opponents.srs_rating) as strength_of_schedule
    from team_games
    inner join srs_ratings as opponents
        on team_games.season = opponents.season and team_games.opponent_id = opponents.team_id
    group by team_games.season, team_games.team_id
),

elo_sides as (
    select
        season,
        start_date,
        home_team_id as team_id,
        home_elo_pre as elo_pre,
        home_elo_post as elo_post
    from {{ ref('int_game_elo') }}
    union all
    select
        season,
        start_date,
        away_team_id as team_id,
        away_elo_pre as elo_pre,
        away_elo_post as elo_post
    from {{ ref('int_game_elo') }}
),

elo as (
    select distinct
        season,
        team_id,
        first_value(elo_pre) over (
            partition by season, team_id order by start_date
            rows between unbounded preceding and unbounded following
        ) as elo_preseason,
        last_value(elo_post) over (
            partition by season, team_id order by start_date
            rows between unbounded preceding and unbounded following
        ) as elo_end_of_season
    from elo_sides
),

totals as (
    select
        season,
        team_id,
        max(team) as team,
        max(classification) as classification,
        count(*) as games,
        count(*) filter (where result = 'W') + 0.5 * count(*) filter (where result = 'T') as wins,
        sum(points_for) as points_for,
        sum(points_against) as points_against
    from team_games
    group by season, team_id
),

final as (
    select
        totals.season,
        totals.team_id,
        totals.team,
        totals.classification,
        totals.games,
        totals.wins,
        totals.points_for,
        totals.points_against,
        round(elo.elo_preseason::numeric, 1) as elo_preseason,
        round(elo.elo_end_of_season::numeric, 1) as elo_end_of_season,
        round(srs_ratings.srs_rating::numeric, 2) as srs_rating,
        round(schedule_strength.strength_of_schedule::numeric, 2) as strength_of_schedule,
        round((power(totals.points_for, {{ exponent }}) / nullif(
            power(totals.points_for, {{ exponent }}) + power(totals.points_against, {{ exponent }}), 0
        ))::numeric, 4) as pythagorean_win_pct,
        round((totals.games * power(totals.points_for, {{ exponent }}) / nullif(
            power(totals.points_for, {{ exponent }}) + power(totals.points_against, {{ exponent }}), 0
        ))::numeric, 2) as pythagorean_expected_wins
    from totals
    left join elo on totals.season = elo.season and totals.team_id = elo.team_id
    left join srs_ratings on totals.season = srs_ratings.season and totals.team_id = srs_ratings.team_id
    left join schedule_strength
        on totals.season = schedule_strength.season and totals.team_id = schedule_strength.team_id
)

select * from final
