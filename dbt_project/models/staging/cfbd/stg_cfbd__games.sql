{#- CFBD games from complete dlt loads, one row per game id (the newest fetch), typed from v2's
    camelCase item. Games not played yet are kept: `is_completed` false, no points, `game_status`
    'scheduled' (in the future at the time of the fetch) or 'unplayed' (past, without a result:
    postponed, cancelled or not reported). Empty when raw_cfbd was never loaded. -#}

with

raw_games as (
    {{ cfbd_raw_rows('games') }}
),

keyed as (
    select
        cast({{ json_text('payload', 'id') }} as {{ dbt.type_bigint() }}) as game_id,
        payload,
        fetched_at,
        load_id
    from raw_games
),

newest as (
    {{ newest_version('keyed', 'game_id', 'fetched_at desc, load_id desc') }}
),

typed as (
    select
        game_id,
        cast({{ json_text('payload', 'season') }} as {{ dbt.type_int() }}) as season,
        {{ cfbd_int(json_text('payload', 'week')) }} as week,  -- noqa: RF04
        {{ json_text('payload', 'seasonType') }} as season_type,
        cast({{ json_text('payload', 'startDate') }} as {{ type_utc_timestamp() }}) as start_date,
        {{ cfbd_flag('payload', 'startTimeTBD') }} as is_start_time_tbd,
        {{ cfbd_flag('payload', 'completed') }} as is_completed_reported,
        {{ cfbd_flag('payload', 'neutralSite') }} as is_neutral_site,
        {{ cfbd_flag('payload', 'conferenceGame') }} as is_conference_game,
        {{ cfbd_int(json_text('payload', 'attendance')) }} as attendance,
        {{ cfbd_int(json_text('payload', 'venueId')) }} as venue_id,
        nullif(trim({{ json_text('payload', 'venue') }}), '') as venue_name,
        cast({{ json_text('payload', 'homeId') }} as {{ dbt.type_bigint() }}) as home_team_id,
        {{ json_text('payload', 'homeTeam') }} as home_team,
        {{ json_text('payload', 'homeClassification') }} as home_classification,
        {{ json_text('payload', 'homeConference') }} as home_conference,
        {{ cfbd_int(json_text('payload', 'homePoints')) }} as home_points,
        cast({{ json_text('payload', 'awayId') }} as {{ dbt.type_bigint() }}) as away_team_id,
        {{ json_text('payload', 'awayTeam') }} as away_team,
        {{ json_text('payload', 'awayClassification') }} as away_classification,
        {{ json_text('payload', 'awayConference') }} as away_conference,
        {{ cfbd_int(json_text('payload', 'awayPoints')) }} as away_points,
        {{ json_array_length('payload', 'homeLineScores') }} as periods_played,
        nullif(trim({{ json_text('payload', 'notes') }}), '') as notes,
        fetched_at,
        load_id
    from newest
),

final as (
    select
        game_id,
        season,
        week,
        season_type,
        start_date,
        is_start_time_tbd,
        -- a result needs both scores: a game reported completed without them is not counted
        is_completed_reported and home_points is not null and away_points is not null as is_completed,
        case
            when is_completed_reported and home_points is not null and away_points is not null then 'completed'
            when start_date > fetched_at then 'scheduled'
            else 'unplayed'
        end as game_status,
        is_neutral_site,
        is_conference_game,
        coalesce(periods_played > 4, false) as is_overtime,
        attendance,
        venue_id,
        venue_name,
        home_team_id,
        home_team,
        home_classification,
        home_conference,
        home_points,
        away_team_id,
        away_team,
        away_classification,
        away_conference,
        away_points,
        notes,
        fetched_at,
        load_id
    from typed
)

select * from final
