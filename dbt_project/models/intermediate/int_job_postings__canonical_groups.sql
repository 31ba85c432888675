{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'unified_at'},
        unique_key='group_key',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['group_key'], 'unique': true},
            {'columns': ['canonical_key']},
        ],
    )
}}

{#- Which canonical job each repost group belongs to. A repost group is one board's postings with
    the same dedup_key (normalised employer, title, city, country); groups on different boards are
    the same job when a posting of each has the same normalised employer, a similar title
    (pg_trgm similarity >= var dedup_title_similarity), the same place (macro same_place: countries
    agree or one is unknown, and cities agree, one is unknown or a side is remote) and posting times at most var dedup_window_days
    apart.

    Incremental and stable: only groups not seen before are assigned; each is compared only with
    postings of the same normalised employer inside its posting-time window (an index lookup on
    int_job_postings__unified), never with the whole table. A new group joins the canonical job
    of the best-matching group already assigned, else of a new group that did, else the earliest
    of itself and the new groups it matches (one hop: chains are not followed). A job, once
    assigned, is never re-keyed. -#}

{%- set window = "interval '" ~ var('dedup_window_days') ~ " days'" %}
{#- the job boards as SQL literals: 'adzuna', 'arbeitnow', ... (the source registry) #}
{%- set board_names = "'" ~ (registered_sources('job_market') | join("', '")) ~ "'" %}

with

-- groups assigned by earlier runs (none on a full build): never re-assigned
seen_groups as (
    {% if is_incremental() -%}
        select
            group_key,
            canonical_key,
            first_posted_at
        from {{ this }}
    {%- else -%}
        select
            null::text as group_key,
            null::text as canonical_key,
            null::timestamptz as first_posted_at
        where false
    {%- endif %}
),

new_postings as (
    select
        postings.posting_id,
        postings.board,
        postings.group_key,
        postings.posted_at,
        postings.load_id,
        postings.unified_at,
        postings.job_title_normalized,
        postings.employer_name_normalized,
        postings.country_code,
        postings.city,
        postings.is_remote
    from {{ ref('int_job_postings__unified') }} as postings
    where
        not postings.is_quarantined
        and postings.unified_at > {{ processed_watermark('unified_at') }}
        -- an anti-join, not `not in`: a not-in list too big for work_mem is scanned once per posting
        and not exists (
            select 1
            from seen_groups
            where seen_groups.group_key = postings.group_key
        )
),

new_groups as (
    select
        group_key,
        min(board) as board,
        min(posted_at) as first_posted_at,
        max(load_id) as load_id,
        max(unified_at) as unified_at
    from new_postings
    group by group_key
),

-- the registered boards (macro registered_sources), not a scan of the postings: a distinct over the
-- whole table would cost as much as the warehouse is big, and the planner may repeat it per probe
other_boards as (
    select unnest(array[{{ board_names }}]) as board
),

-- each new posting once per other board (materialized, so the lookup below is an equality on
-- (board, employer) and a board's own postings are never enumerated)
probes as materialized (
    select
        new_postings.group_key,
        new_postings.posted_at,
        new_postings.job_title_normalized,
        new_postings.employer_name_normalized,
        new_postings.country_code,
        new_postings.city,
        new_postings.is_remote,
        other_boards.board as other_board
    from new_postings
    inner join other_boards on new_postings.board <> other_boards.board
),

-- blocking: same normalised employer on another board, posting-time window (indexed); then place
-- and title
candidate_pairs as (
    select
        probes.group_key,
        other_postings.group_key as other_group_key,
        {{ trigram_similarity("probes.job_title_normalized", "other_postings.job_title_normalized") }} as score
    from probes
    inner join {{ ref('int_job_postings__unified') }} as other_postings
        on
            probes.other_board = other_postings.board
            and probes.employer_name_normalized = other_postings.employer_name_normalized
            and other_postings.posted_at between probes.posted_at - {{ window }}
            and probes.posted_at + {{ window }}
            and not other_postings.is_quarantined
    where {{ same_place('probes', 'other_postings') }}
),

edges as (
    select
        group_key,
        other_group_key,
        max(score) as score
    from candidate_pairs
    where score >= {{ var('dedup_title_similarity') }}
    group by group_key, other_group_key
),

-- 1. the best match among groups assigned before
joined_existing as (
    select distinct on (edges.group_key)
        edges.group_key,
        seen_groups.canonical_key,
        edges.score
    from edges
    inner join seen_groups on edges.other_group_key = seen_groups.group_key
    order by edges.group_key asc, edges.score desc, seen_groups.first_posted_at asc, seen_groups.canonical_key asc
),

-- 2. else the best match among new groups that took step 1
joined_via_new as (
    select distinct on (edges.group_key)
        edges.group_key,
        joined_existing.canonical_key,
        edges.score
    from edges
    inner join joined_existing on edges.other_group_key = joined_existing.group_key
    where edges.group_key not in (select already_joined.group_key from joined_existing as already_joined)
    order by edges.group_key asc, edges.score desc, joined_existing.canonical_key asc
),

-- 3. else the earliest of itself and the new groups it matches
neighbourhood as (
    select
        group_key,
        group_key as member_key,
        1.0 as score
    from new_groups
    union all
    select
        edges.group_key,
        edges.other_group_key as member_key,
        edges.score
    from edges
    inner join new_groups on edges.other_group_key = new_groups.group_key
),

representative as (
    select distinct on (neighbourhood.group_key)
        neighbourhood.group_key,
        neighbourhood.member_key as canonical_key,
        neighbourhood.score
    from neighbourhood
    inner join new_groups as members on neighbourhood.member_key = members.group_key
    order by neighbourhood.group_key asc, members.first_posted_at asc, neighbourhood.member_key asc
),

final as (
    select
        new_groups.group_key,
        new_groups.board,
        coalesce(joined_existing.canonical_key, joined_via_new.canonical_key, representative.canonical_key)
            as canonical_key,
        round(coalesce(joined_existing.score, joined_via_new.score, representative.score)::numeric, 4)
            as match_score,
        new_groups.first_posted_at,
        new_groups.load_id,
        new_groups.unified_at
    from new_groups
    inner join representative on new_groups.group_key = representative.group_key
    left join joined_existing on new_groups.group_key = joined_existing.group_key
    left join joined_via_new on new_groups.group_key = joined_via_new.group_key
)

select * from final
