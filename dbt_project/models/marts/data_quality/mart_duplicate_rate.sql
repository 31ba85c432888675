{{ config(materialized='table') }}

{#- How much the boards overlap, per board and overall ('all'):
    - postings: clean (not quarantined) board postings;
    - linked_postings: postings whose canonical job is also on another board; duplicate_rate is
      their share;
    - repeated_board_ids: the same board job id more than once (never expected: the sources
      merge on it);
    - unexplained_duplicates: postings with a twin on the same board that the cross-board rule
      would call the same job (same normalised employer and title, same place by that rule, posted
      within the dedup window) but that ended in a different job (one has a city, the other none;
      or both remote), plus repeated board ids; unexplained_rate is their share (a test warns
      above 10%).
    One aggregate over the postings: recomputed whole. -#}

{%- set window = "interval '" ~ var('dedup_window_days') ~ " days'" %}

with

postings as (
    select
        postings.posting_id,
        postings.board,
        postings.board_job_id,
        postings.posted_at,
        postings.employer_name_normalized,
        postings.job_title_normalized,
        postings.country_code,
        postings.city,
        postings.is_remote,
        repost_groups.canonical_key
    from {{ ref('int_job_postings__unified') }} as postings
    inner join {{ ref('int_job_postings__canonical_groups') }} as repost_groups
        on postings.group_key = repost_groups.group_key
    where not postings.is_quarantined
),

job_boards as (
    select
        posting_key,
        source_count
    from {{ ref('fct_job_postings') }}
),

repeated_ids as (
    select
        board,
        count(*) - count(distinct board_job_id) as repeated_board_ids
    from postings
    group by board
),

unexplained as (
    select distinct postings.posting_id
    from postings
    inner join postings as twin
        on
            postings.board = twin.board
            and postings.employer_name_normalized = twin.employer_name_normalized
            and postings.job_title_normalized = twin.job_title_normalized
            and postings.posting_id <> twin.posting_id
            and postings.canonical_key <> twin.canonical_key
            and twin.posted_at between postings.posted_at - {{ window }} and postings.posted_at + {{ window }}
    where {{ same_place('postings', 'twin') }}
),

per_posting as (
    select
        postings.board,
        job_boards.source_count > 1 as is_linked,
        unexplained.posting_id is not null as is_unexplained
    from postings
    inner join job_boards on postings.canonical_key = job_boards.posting_key
    left join unexplained on postings.posting_id = unexplained.posting_id
),

by_board as (
    select
        per_posting.board,
        count(*) as postings,
        count(*) filter (where per_posting.is_linked) as linked_postings,
        max(repeated_ids.repeated_board_ids) as repeated_board_ids,
        count(*) filter (where per_posting.is_unexplained) + max(repeated_ids.repeated_board_ids)
            as unexplained_duplicates
    from per_posting
    inner join repeated_ids on per_posting.board = repeated_ids.board
    group by per_posting.board
),

with_overall as (
    select
        board,
        postings,
        linked_postings,
        repeated_board_ids,
        unexplained_duplicates
    from by_board
    union all
    select
        'all' as board,
        coalesce(sum(postings), 0) as postings,
        coalesce(sum(linked_postings), 0) as linked_postings,
        coalesce(sum(repeated_board_ids), 0) as repeated_board_ids,
        coalesce(sum(unexplained_duplicates), 0) as unexplained_duplicates
    from by_board
),

final as (
    select
        board,
        postings::bigint as postings,
        linked_postings::bigint as linked_postings,
        round(linked_postings::numeric / nullif(postings, 0), 4) as duplicate_rate,
        repeated_board_ids::bigint as repeated_board_ids,
        unexplained_duplicates::bigint as unexplained_duplicates,
        round(unexplained_duplicates::numeric / nullif(postings, 0), 4) as unexplained_rate
    from with_overall
)

select * from final
