{#- Elo ratings game by game, over every completed game in kick-off order (a recursive walk
    carrying every team's rating). For each game: both teams' ratings before and after it, and
    the home team's expected score. The constants (dbt vars, their defaults here; documented in
    _college_football__models.yml):
    - a team's first rating: cfbd_elo_initial (1500) for FBS, cfbd_elo_initial_non_fbs (1200) else;
    - expected score E = 1 / (1 + 10^(-(R_home + H - R_away) / 400)), H = cfbd_elo_home_field
      (55 points) unless the site is neutral;
    - update R' = R + K * M * (S - E), K = cfbd_elo_k (25), S = 1 win, 0.5 tie, 0 loss;
    - margin multiplier M = ln(|margin| + 1) * 2.2 / (0.001 * D + 2.2), D = the winner's rating
      edge (with H) over the loser (0 for a tie, with |margin| taken as 1), so blowouts count
      more, but less when the favourite wins them;
    - between seasons every rating regresses to the mean: R = (1 - r) * R + r * 1500,
      r = cfbd_elo_regression (0.25). -#}

{%- set initial = var('cfbd_elo_initial', 1500) %}
{%- set initial_non_fbs = var('cfbd_elo_initial_non_fbs', 1200) %}
{%- set home_field = var('cfbd_elo_home_field', 55) %}
{%- set k = var('cfbd_elo_k', 25) %}
{%- set regression = var('cfbd_elo_regression', 0.25) %}

with recursive

ordered as (
    select
        row_number() over (order by start_date, game_id) as game_number,
        game_id,
        season,
        start_date,
        home_team_id::text as home_key,
        away_team_id::text as away_key,
        case when home_classification = 'fbs' then {{ initial }} else {{ initial_non_fbs }} end as home_initial,
        case when away_classification = 'fbs' then {{ initial }} else {{ initial_non_fbs }} end as away_initial,
        case when is_neutral_site then 0 else {{ home_field }} end as home_field,
        home_points - away_points as margin
    from {{ ref('stg_cfbd__games') }}
    where is_completed
),

walk (game_number, season, ratings, game_id, home_pre, away_pre, home_expected, home_post, away_post) as (
    select
        0::bigint,
        null::integer,
        '{}'::jsonb,
        null::bigint,
        null::double precision,
        null::double precision,
        null::double precision,
        null::double precision,
        null::double precision
    union all
    select
        ordered.game_number,
        ordered.season,
        regressed.ratings || jsonb_build_object(ordered.home_key, post.home_post, ordered.away_key, post.away_post),
        ordered.game_id,
        pre.home_pre,
        pre.away_pre,
        expect.home_expected,
        post.home_post,
        post.away_post
    from walk
    inner join ordered on walk.game_number + 1 = ordered.game_number
    cross join
        lateral (  -- noqa: ST05
            select case
                when walk.season is null or walk.season = ordered.season then walk.ratings
                else coalesce((
                    select
                        jsonb_object_agg(
                            team.key,
                            (1 - {{ regression }}) * team.value::double precision + {{ regression }} * {{ initial }}
                        )
                    from jsonb_each_text(walk.ratings) as team
                ), '{}'::jsonb)
            end as ratings
        ) as regressed
    cross join
        lateral (  -- noqa: ST05
            select
                coalesce((regressed.ratings ->> ordered.home_key)::double precision, ordered.home_initial) as home_pre,
                coalesce((regressed.ratings ->> ordered.away_key)::double precision, ordered.away_initial) as away_pre
        ) as pre
    cross join
        lateral (  -- noqa: ST05
            select
                1.0 / (1.0 + power(10.0, -(pre.home_pre + ordered.home_field - pre.away_pre) / 400.0)) as home_expected,
                case when ordered.margin > 0 then 1.0 when ordered.margin < 0 then 0.0 else 0.5 end as home_score,
                ln(greatest(abs(ordered.margin), 1) + 1) * 2.2 / (0.001 * (case
                    when ordered.margin > 0 then pre.home_pre + ordered.home_field - pre.away_pre
                    when ordered.margin < 0 then pre.away_pre - pre.home_pre - ordered.home_field
                    else 0
                end) + 2.2) as multiplier
        ) as expect
    cross join lateral (  -- noqa: ST05
        select
            pre.home_pre + {{ k }} * expect.multiplier * (expect.home_score - expect.home_expected) as home_post,
            pre.away_pre - {{ k }} * expect.multiplier * (expect.home_score - expect.home_expected) as away_post
    ) as post
),

final as (
    select
        walk.game_id,
        walk.season,
        ordered.start_date,
        ordered.home_key::bigint as home_team_id,
        ordered.away_key::bigint as away_team_id,
        walk.home_pre as home_elo_pre,
        walk.away_pre as away_elo_pre,
        walk.home_expected as home_win_expectancy,
        walk.home_post as home_elo_post,
        walk.away_post as away_elo_post
    from walk
    inner join ordered on walk.game_id = ordered.game_id
    where walk.game_number > 0
)

select * from final
