{{
    config(
        materialized='incremental',
        unique_key='job_id',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['job_id']}, {'columns': ['load_id']}],
        pre_hook=[
            "set local jit = off",
            "set local work_mem = '256MB'",
            "set local enable_mergejoin = off",
        ],
    )
}}

{#- Skills named in each posting's title and description. Only postings of loads not seen yet are
    tokenised; a reloaded posting replaces its mentions (delete+insert on job_id). -#}

with

postings as (
    select
        job_id,
        load_id,
        concat_ws(' . ', job_title, description) as posting_text
    from {{ ref('stg_jsearch__job_postings') }}
    where not is_quarantined
    {%- if is_incremental() %}
        and load_id > (select coalesce(max(seen.load_id), '') from {{ this }} as seen)
    {%- endif %}
),

aliases as (
    select
        alias,
        skill_id,
        category,
        match_rule,
        case_form,
        alias_key,
        first_token,
        token_count
    from {{ ref('int_skill_aliases__tokenized') }}
),

alias_first_tokens as (
    select
        first_token,
        max(token_count) as max_token_count
    from aliases
    group by first_token
),

-- materialized: each posting is tokenised once, not once per reference
token_arrays as materialized (
    select
        postings.job_id,
        postings.load_id,
        array(
            select token_match[1]
            from regexp_matches(postings.posting_text, {{ skill_token_pattern() }}, 'g')
                with ordinality as matched (token_match, token_position)
            order by matched.token_position
        ) as tokens
    from postings
),

-- only positions whose token can start an alias (a hash join), each yielding the n-grams up to the
-- longest alias starting there; arrays stay inside the lateral so no sort ever carries them.
-- Row estimates of set-returning functions are guesses, so the plan is pinned: CTEs materialized,
-- hash joins instead of sorts (see pre_hook).
candidates as materialized (
    select
        token_arrays.job_id,
        token_arrays.load_id,
        ngrams.start_position,
        ngrams.start_position + ngrams.token_count - 1 as end_position,
        ngrams.surface_text
    from token_arrays
    cross join lateral (
        select
            starting.token_position as start_position,
            span.token_count,
            array_to_string(
                token_arrays.tokens[starting.token_position:starting.token_position + span.token_count - 1], ' '
            ) as surface_text
        from unnest(token_arrays.tokens) with ordinality as starting (token, token_position)
        inner join alias_first_tokens on lower(starting.token) = alias_first_tokens.first_token
        cross join lateral generate_series(1, alias_first_tokens.max_token_count) as span (token_count)
        where starting.token_position + span.token_count - 1 <= cardinality(token_arrays.tokens)
    ) as ngrams
),

matches as (
    select
        candidates.job_id,
        candidates.load_id,
        candidates.start_position,
        candidates.end_position,
        candidates.surface_text,
        aliases.skill_id,
        aliases.category,
        aliases.match_rule,
        aliases.case_form
    from candidates
    inner join aliases on lower(candidates.surface_text) = aliases.alias_key
),

-- ambiguous aliases (R, C, Go, REST, Spring...) count only in their exact casing, never as part
-- of "R&D" or "C-suite", and for needs_context only near programming words or another language
judged as (
    select
        matches.job_id,
        matches.load_id,
        matches.start_position,
        matches.end_position,
        matches.surface_text,
        matches.skill_id,
        case
            when matches.match_rule = 'any' then true
            when matches.surface_text is distinct from matches.case_form then false
            when coalesce(token_arrays.tokens[matches.end_position + 1], '') in ('&', '-')
                or coalesce(token_arrays.tokens[matches.start_position - 1], '') in ('&', '-')
                then false
            when matches.match_rule = 'case_sensitive' then true
            else exists (
                select 1
                from unnest(token_arrays.tokens[greatest(1, matches.start_position - 8):matches.end_position + 8])
                    as nearby (token)
                where lower(nearby.token) in (
                    'programming', 'language', 'languages', 'developer', 'developers', 'coding', 'code',
                    'scripting', 'statistical', 'golang', 'python', 'java', 'javascript', 'sql', 'scala',
                    'rust', 'c++', 'c#', 'julia', 'matlab', 'sas', 'stata', 'typescript', 'kotlin'
                )
            )
        end as is_accepted
    from matches
    inner join token_arrays on matches.job_id = token_arrays.job_id
),

accepted as (
    select
        job_id,
        load_id,
        start_position,
        end_position,
        surface_text,
        skill_id
    from judged
    where is_accepted
),

-- "sql server" is SQL Server, not also SQL: drop matches inside a longer match
outermost as (
    select
        inner_match.job_id,
        inner_match.load_id,
        inner_match.start_position,
        inner_match.surface_text,
        inner_match.skill_id
    from accepted as inner_match
    where not exists (
        select 1
        from accepted as outer_match
        where outer_match.job_id = inner_match.job_id
            and outer_match.start_position <= inner_match.start_position
            and outer_match.end_position >= inner_match.end_position
            and outer_match.end_position - outer_match.start_position
            > inner_match.end_position - inner_match.start_position
    )
),

final as (
    select
        job_id,
        skill_id,
        max(load_id) as load_id,
        count(*) as mention_count,
        min(start_position) as first_position,
        (array_agg(surface_text order by start_position))[1] as first_surface_text
    from outermost
    group by job_id, skill_id
)

select * from final
