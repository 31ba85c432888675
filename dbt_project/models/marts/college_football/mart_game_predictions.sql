{#- Upcoming games with the home team's win probability from the latest promoted version of
    cfbd_win_probability (`make train`), beside Elo's, and the model version. Games without a
    prediction yet (no promoted version, or scheduled after it ran) are listed with a null
    probability. -#}

with

upcoming as (
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        home_team_id,
        home_team,
        away_team_id,
        away_team,
        is_home_field,
        elo_home_win_probability
    from {{ ref('fct_game_features') }}
    where not is_completed
),

latest_version as (
    select
        model_name,
        model_version,
        trained_at
    from {{ ref('stg_ml__model_versions') }}
    where model_name = 'cfbd_win_probability' and is_promoted
    order by trained_at desc
    limit 1
),

predictions as (
    select
        predictions.record_id as game_id,
        predictions.probability,
        predictions.model_version,
        latest_version.trained_at
    from {{ ref('stg_ml__predictions') }} as predictions
    inner join latest_version
        on
            predictions.model_name = latest_version.model_name
            and predictions.model_version = latest_version.model_version
),

final as (
    select
        upcoming.game_id,
        upcoming.season,
        upcoming.week,
        upcoming.season_type,
        upcoming.start_date,
        upcoming.home_team_id,
        upcoming.home_team,
        upcoming.away_team_id,
        upcoming.away_team,
        upcoming.is_home_field,
        round(predictions.probability::numeric, 4) as home_win_probability,
        round(upcoming.elo_home_win_probability::numeric, 4) as elo_home_win_probability,
        predictions.model_version,
        predictions.trained_at as model_trained_at
    from upcoming
    left join predictions on upcoming.game_id = predictions.game_id
)

select * from final
