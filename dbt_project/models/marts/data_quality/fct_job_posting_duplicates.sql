{{
    config(
        materialized='incremental',
        unique_key='posting_id',
        incremental_strategy='merge',
        indexes=[
            {'columns': ['posting_id'], 'unique': true},
            {'columns': ['canonical_key']},
            {'columns': ['unified_at']},
        ],
    )
}}

{#- One row per board posting (quarantined ones flagged): is its canonical job on another board too
    (is_linked), and has it an unexplained same-board twin (is_unexplained: same board, normalised
    employer and title, same place by macro same_place, posted within var dedup_window_days, yet in
    another canonical job). mart_duplicate_rate aggregates it.

    Incremental: a run recomputes only the postings whose answer may have moved, and looks each
    twin up by (board, employer, posting time) on int_job_postings__unified's index:
    - postings new or changed since this table's newest unified_at (macro processed_watermark);
    - the postings within the window of one of them on the same board, employer and title, as it
      is now and as this table last saw it (a twin it had before its change, or has since);
    - the postings of jobs fct_job_postings recomputed (last_unified_at moved: a new member may have
      changed source_count), and of the jobs a changed posting belonged to before.
    A job is never re-keyed (int_job_postings__canonical_groups), so nothing else moves. A full
    refresh of the dedup needs a full refresh of this table. -#}

{%- set window_days = var('dedup_window_days') %}

with

{% if is_incremental() %}
    changed as (
        select
            changed_postings.posting_id,
            changed_postings.board,
            changed_postings.employer_name_normalized,
            changed_postings.job_title_normalized,
            changed_postings.posted_at
        from {{ ref('int_job_postings__unified') }} as changed_postings
        where changed_postings.unified_at > {{ processed_watermark('unified_at', as_literal=true) }}
    ),

    -- the changed postings as this table last saw them
    changed_before as (
        select
            seen.posting_id,
            seen.board,
            seen.employer_name_normalized,
            seen.job_title_normalized,
            seen.posted_at,
            seen.canonical_key
        from {{ this }} as seen
        inner join changed on seen.posting_id = changed.posting_id
    ),

    twin_probes as (
        select
            board,
            employer_name_normalized,
            job_title_normalized,
            posted_at
        from changed
        union
        select
            board,
            employer_name_normalized,
            job_title_normalized,
            posted_at
        from changed_before
    ),

    changed_jobs as (
        select jobs.posting_key as canonical_key
        from {{ ref('fct_job_postings') }} as jobs
        where jobs.last_unified_at > {{ processed_watermark('unified_at', as_literal=true) }}
        union
        select changed_before.canonical_key
        from changed_before
    ),

    affected as (
        select changed.posting_id
        from changed
        union
        select probed.posting_id
        from twin_probes
        inner join {{ ref('int_job_postings__unified') }} as probed
            on
                twin_probes.board = probed.board
                and twin_probes.employer_name_normalized = probed.employer_name_normalized
                and twin_probes.job_title_normalized = probed.job_title_normalized
                and probed.posted_at
                between {{ dbt.dateadd('day', -window_days, 'twin_probes.posted_at') }}
                and {{ dbt.dateadd('day', window_days, 'twin_probes.posted_at') }}
        union
        select seen.posting_id
        from {{ this }} as seen
        inner join changed_jobs on seen.canonical_key = changed_jobs.canonical_key
    ),
{% endif %}

postings as (
    select
        unified.posting_id,
        unified.board,
        unified.board_job_id,
        unified.posted_at,
        unified.employer_name_normalized,
        unified.job_title_normalized,
        unified.country_code,
        unified.city,
        unified.is_remote,
        unified.is_quarantined,
        unified.unified_at,
        repost_groups.canonical_key
    from {{ ref('int_job_postings__unified') }} as unified
    left join {{ ref('int_job_postings__canonical_groups') }} as repost_groups
        on unified.group_key = repost_groups.group_key
    {% if is_incremental() -%}
        where unified.posting_id in (select affected.posting_id from affected)
    {%- endif %}
),

-- clean postings with a twin the cross-board rule would merge, left in another job
unexplained as (
    select distinct postings.posting_id
    from postings
    inner join {{ ref('int_job_postings__unified') }} as twin
        on
            postings.board = twin.board
            and postings.employer_name_normalized = twin.employer_name_normalized
            and postings.job_title_normalized = twin.job_title_normalized
            and postings.posting_id <> twin.posting_id
            and twin.posted_at
            between {{ dbt.dateadd('day', -window_days, 'postings.posted_at') }}
            and {{ dbt.dateadd('day', window_days, 'postings.posted_at') }}
    inner join {{ ref('int_job_postings__canonical_groups') }} as twin_groups
        on twin.group_key = twin_groups.group_key
    where
        not postings.is_quarantined
        and not twin.is_quarantined
        and postings.canonical_key <> twin_groups.canonical_key
        and {{ same_place('postings', 'twin') }}
),

final as (
    select
        postings.posting_id,
        postings.board,
        postings.board_job_id,
        postings.posted_at,
        postings.employer_name_normalized,
        postings.job_title_normalized,
        postings.is_quarantined,
        postings.canonical_key,
        jobs.source_count > 1 as is_linked,
        unexplained.posting_id is not null as is_unexplained,
        postings.unified_at,
        {{ dbt.current_timestamp() }} as checked_at
    from postings
    left join {{ ref('fct_job_postings') }} as jobs on postings.canonical_key = jobs.posting_key
    left join unexplained on postings.posting_id = unexplained.posting_id
)

select * from final
