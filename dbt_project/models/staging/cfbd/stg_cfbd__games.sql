{#- CFBD games from complete dlt loads, one row per game id (the newest fetch), typed from v2's
    camelCase item. Games not played yet are kept: `is_completed` false, no points, `game_status`
    'scheduled' (in the future at the time of the fetch) or 'unplayed' (past, without a result:
    postponed, cancelled or not reported). Empty when raw_cfbd was never loaded. -#}

with

raw_games as (
    {{ cfbd_raw_rows('games') }}
),

newest as (
    select distinct on ((payload ->> 'id')::bigint)
        payload,
        fetched_at,
        load_id
    from raw_games
    order by (payload ->> 'id')::bigint asc, fetched_at desc, load_id desc
),

typed as (
    select
        (payload ->> 'id')::bigint as game_id,
        (payload ->> 'season')::integer as season,
        {{ cfbd_int("payload ->> 'week'") }} as week,  -- noqa: RF04
        payload ->> 'seasonType' as season_type,
        (payload ->> 'startDate')::timestamptz as start_date,
        coalesce((payload ->> 'startTimeTBD')::boolean, false) as is_start_time_tbd,
        coalesce((payload ->> 'completed')::boolean, false) as is_completed_reported,
        coalesce((payload ->> 'neutralSite')::boolean, false) as is_neutral_site,
        coalesce((payload ->> 'conferenceGame')::boolean, false) as is_conference_game,
        {{ cfbd_int("payload ->> 'attendance'") }} as attendance,
        {{ cfbd_int("payload ->> 'venueId'") }} as venue_id,
        nullif(trim(payload ->> 'venue'), '') as venue_name,
        (payload ->> 'homeId')::bigint as home_team_id,
        payload ->> 'homeTeam' as home_team,
        payload ->> 'homeClassification' as home_classification,
        payload ->> 'homeConference' as home_conference,
        {{ cfbd_int("payload ->> 'homePoints'") }} as home_points,
        (payload ->> 'awayId')::bigint as away_team_id,
        payload ->> 'awayTeam' as away_team,
        payload ->> 'awayClassification' as away_classification,
        payload ->> 'awayConference' as away_conference,
        {{ cfbd_int("payload ->> 'awayPoints'") }} as away_points,
        case
            when jsonb_typeof(payload -> 'homeLineScores') = 'array'
                then jsonb_array_length(payload -> 'homeLineScores')
        end as periods_played,
        nullif(trim(payload ->> 'notes'), '') as notes,
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
