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

-- clean postings in a repost group, per board job id (one scan, no join; is_linked is null
-- when the job is not in fct_job_postings: the posting counts only towards repeated ids)
board_ids as (
    select
        board,
        board_job_id,
        count(*) as postings_with_id,
        sum(case when is_linked is not null then 1 else 0 end) as postings,
        sum(case when is_linked then 1 else 0 end) as linked_postings,
        sum(case when is_linked is not null and is_unexplained then 1 else 0 end) as unexplained_postings
    from {{ ref('fct_job_posting_duplicates') }}
    where not is_quarantined and canonical_key is not null
    group by board, board_job_id
),

by_board as (
    select
        board,
        sum(postings) as postings,
        sum(linked_postings) as linked_postings,
        sum(postings_with_id - 1) as repeated_board_ids,
        sum(unexplained_postings) + sum(postings_with_id - 1) as unexplained_duplicates
    from board_ids
    group by board
    having sum(postings) > 0
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
