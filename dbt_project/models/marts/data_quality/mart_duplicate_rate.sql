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
    The per-posting answers are kept incrementally in fct_job_posting_duplicates; this table only
    counts them (no join). -#}

with

-- clean postings in a repost group
postings as (
    select
        board,
        board_job_id,
        is_linked,
        is_unexplained
    from {{ ref('fct_job_posting_duplicates') }}
    where not is_quarantined and canonical_key is not null
),

repeated_ids as (
    select
        board,
        count(*) - count(distinct board_job_id) as repeated_board_ids
    from postings
    group by board
),

-- postings of a job in fct_job_postings (is_linked is null without one)
by_board as (
    select
        postings.board,
        count(*) as postings,
        sum(case when postings.is_linked then 1 else 0 end) as linked_postings,
        max(repeated_ids.repeated_board_ids) as repeated_board_ids,
        sum(case when postings.is_unexplained then 1 else 0 end) + max(repeated_ids.repeated_board_ids)
            as unexplained_duplicates
    from postings
    inner join repeated_ids on postings.board = repeated_ids.board
    where postings.is_linked is not null
    group by postings.board
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
        cast(postings as {{ dbt.type_bigint() }}) as postings,
        cast(linked_postings as {{ dbt.type_bigint() }}) as linked_postings,
        round(cast(linked_postings as {{ dbt.type_numeric() }}) / nullif(postings, 0), 4) as duplicate_rate,
        cast(repeated_board_ids as {{ dbt.type_bigint() }}) as repeated_board_ids,
        cast(unexplained_duplicates as {{ dbt.type_bigint() }}) as unexplained_duplicates,
        round(cast(unexplained_duplicates as {{ dbt.type_numeric() }}) / nullif(postings, 0), 4) as unexplained_rate
    from with_overall
)

select * from final
