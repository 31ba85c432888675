{{
    config(
        materialized='incremental',
        meta={'new_rows_column': 'extracted_at'},
        unique_key='job_id',
        incremental_strategy='delete+insert',
        indexes=[
            {'columns': ['job_id']},
            {'columns': ['load_id']},
            {'columns': ['unified_at']},
            {'columns': ['skill_id']},
            {'columns': ['extracted_at']},
        ],
        pre_hook=[
            "set local jit = off",
            "set local work_mem = '256MB'",
            "set local enable_mergejoin = off",
        ],
    )
}}

{#- Skills named in each board posting's title and description, for every board: job_id is the
    board posting (posting_id, "board:board_job_id"), so each board's own text is read once and a
    job seen on several boards keeps each source's mentions; fct_job_posting_skills takes those of
    the job's canonical posting. A posting in which no skill was found has one row with a null
    skill_id, so that every extraction leaves a trace the marts can follow.

    What is extracted on a run (each row says why, in extraction_reason):
    - new_load: postings of loads not seen yet;
    - taxonomy_change: postings a taxonomy change may affect: those that named a skill whose
      aliases changed, and those whose text contains a changed alias (its longest token), found
      by comparing the aliases now with int_skill_aliases__applied, the aliases the extracted
      mentions were made with;
    - rule_change: every posting, when the extraction rules (macro skill_mention_ctes) changed
      since the last extraction, or when there is no record of them.
    A re-extracted posting replaces all its rows (delete+insert on job_id). -#}

{%- set fingerprint = skill_extractor_fingerprint() %}
{#- What the mentions were extracted with: int_skill_aliases__applied, built after this model and so
    read by name (a ref would be a cycle). On a full build, or in a warehouse built before it was
    kept, stand-ins that hold nothing: every earlier posting then counts as changed by the rules. #}
{%- set applied = adapter.get_relation(database=this.database, schema=this.schema,
                                       identifier='int_skill_aliases__applied') if is_incremental() else none %}
{%- set applied_aliases = applied if applied else ref('int_skill_aliases__tokenized') %}
{%- set applied_alias_filter = 'true' if applied else 'false' %}
{%- set rules_changed = "not exists (select 1 from " ~ applied ~ " where extractor_fingerprint = '"
                        ~ fingerprint ~ "')" if applied else 'true' %}
{%- set seen_mentions = this if is_incremental() else '(select null::text as job_id, null::text as skill_id)' %}

with

new_postings as (
    select
        posting_id,
        load_id,
        unified_at,
        concat_ws(' . ', job_title, description) as posting_text
    from {{ ref('int_job_postings__unified') }}
    where
        not is_quarantined
        and unified_at > {{ processed_watermark('unified_at') }}
),

-- postings extracted by earlier runs (none on a full build)
previous_postings as (
    select
        posting_id,
        load_id,
        unified_at,
        concat_ws(' . ', job_title, description) as posting_text
    from {{ ref('int_job_postings__unified') }}
    where
        not is_quarantined
        and unified_at <= {{ processed_watermark('unified_at') }}
),

current_aliases as (
    select {{ skill_alias_definition() }}
    from {{ ref('int_skill_aliases__tokenized') }}
),

applied_aliases as (
    select {{ skill_alias_definition() }}
    from {{ applied_aliases }}
    where {{ applied_alias_filter }}
),

-- added, removed and changed aliases (an alias whose skill, category or matching rule changed
-- appears twice: as it was and as it is)
changed_aliases as materialized (
    (
        select {{ skill_alias_definition() }} from current_aliases
        except
        select {{ skill_alias_definition() }} from applied_aliases
    )
    union
    (
        select {{ skill_alias_definition() }} from applied_aliases
        except
        select {{ skill_alias_definition() }} from current_aliases
    )
),

-- the extraction rules (their SQL's fingerprint) differ from those the mentions were made with
rules as (
    select {{ rules_changed }} as changed
),

-- the uncorrelated conditions are one-time filters: with nothing changed, no posting is read
reextracted_postings as (
    select
        posting_id,
        load_id,
        unified_at,
        posting_text,
        'rule_change' as extraction_reason
    from previous_postings
    where (select rules.changed from rules)
    union all
    select
        posting_id,
        load_id,
        unified_at,
        posting_text,
        'taxonomy_change' as extraction_reason
    from previous_postings
    where
        not (select rules.changed from rules)
        and exists (select 1 from changed_aliases)
        and (
            posting_id in (
                select seen.job_id
                from {{ seen_mentions }} as seen
                inner join changed_aliases on seen.skill_id = changed_aliases.skill_id
            )
            or exists (
                select 1
                from changed_aliases
                where strpos(lower(previous_postings.posting_text), changed_aliases.longest_token) > 0
            )
        )
),

postings as (
    select
        posting_id as job_id,
        load_id,
        unified_at,
        posting_text,
        'new_load' as extraction_reason
    from new_postings
    union all
    select
        posting_id as job_id,
        load_id,
        unified_at,
        posting_text,
        extraction_reason
    from reextracted_postings
),

{{ skill_mention_ctes() }},

current_taxonomy as (
    select max(taxonomy_version) as taxonomy_version
    from {{ ref('skill_taxonomy_version') }}
),

extractions as (
    select
        postings.job_id,
        final.skill_id,
        postings.load_id,
        postings.unified_at,
        final.mention_count,
        final.first_position,
        final.first_surface_text,
        final.surface_texts,
        current_taxonomy.taxonomy_version,
        postings.extraction_reason,
        '{{ run_started_at }}'::timestamptz as extracted_at
    from postings
    left join final on postings.job_id = final.job_id
    cross join current_taxonomy
)

select * from extractions
