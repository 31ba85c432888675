{{
    config(
        materialized='incremental',
        unique_key='match_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['login']}, {'columns': ['posting_key']}],
        post_hook=["delete from {{ this }} where match_score is null"],
    )
}}

{#- Profile x recent canonical job that shares at least one skill with it, scored by the share of
    the job's market demand the profile covers (formula in _careers__docs.md, match_score).
    Incremental (what is recomputed when: _careers__docs.md, careers_incremental): each row keeps the
    fingerprint of its profile's skills and of its job (details, skills and their demand weights).
    A build recomputes the pairs of the profiles whose fingerprint changed (new, changed or gone) and
    of the jobs whose fingerprint changed (new in the window, changed, their skills' demand moved, or
    gone from it), and nothing else. A recomputed pair that no longer matches is written as a row
    without a score, which deletes the old row (delete+insert on match_key); the post-hook removes it. -#}

with

profile_skills as (
    select
        login,
        skill_id
    from {{ ref('fct_profile_skills') }}
    where skill_id is not null
),

-- a profile's matches depend on its set of skills only
profile_fingerprints as (
    select
        login,
        {{ careers_fingerprint([dbt.listagg('skill_id', "','", 'order by skill_id')]) }} as profile_fingerprint
    from profile_skills
    group by login
),

job_skills as (
    select
        posting_key,
        skill_id,
        demand_weight
    from {{ ref('int_careers__recent_job_skills') }}
),

job_details as (
    select
        posting_key,
        min(job_title) as job_title,
        min(employer_name) as employer_name,
        min(country_code) as country_code,
        bool_or(is_remote) as is_remote,
        min(salary_min_annual_usd) as salary_min_annual_usd,
        max(salary_max_annual_usd) as salary_max_annual_usd,
        min(apply_url) as apply_url,
        max(last_posted_at) as last_posted_at,
        count(*) as job_skill_count,
        sum(demand_weight) as job_weight,
        {{ dbt.listagg(dbt.concat(['skill_id', "'='", 'cast(demand_weight as ' ~ dbt.type_string() ~ ')']),
                       "','", 'order by skill_id') }} as skill_weights
    from {{ ref('int_careers__recent_job_skills') }}
    group by posting_key
),

-- everything a job's rows are computed from: its details, its skills and their demand weights
jobs as (
    select
        job_details.*,
        {{ careers_fingerprint([
            'job_title', 'employer_name', 'country_code', 'is_remote', 'salary_min_annual_usd',
            'salary_max_annual_usd', 'apply_url', 'last_posted_at', 'skill_weights',
        ]) }} as job_fingerprint
    from job_details
),

{% if is_incremental() %}
    {%- set no_state = 'cast(null as ' ~ dbt.type_string() ~ ')' %}
    -- a table built before the model was incremental has no fingerprints: every pair is recomputed
    seen_profiles as (
        select
            login,
            max({{ 'profile_fingerprint' if careers_state_exists('profile_fingerprint') else no_state }})
                as profile_fingerprint
        from {{ this }}
        group by login
    ),

    seen_jobs as (
        select
            posting_key,
            max({{ 'job_fingerprint' if careers_state_exists('job_fingerprint') else no_state }}) as job_fingerprint
        from {{ this }}
        group by posting_key
    ),

    -- profiles new, with other skills, or without skills any more
    changed_logins as (
        select profile_fingerprints.login
        from profile_fingerprints
        left join seen_profiles on profile_fingerprints.login = seen_profiles.login
        where profile_fingerprints.profile_fingerprint is distinct from seen_profiles.profile_fingerprint
        union
        select seen_profiles.login
        from seen_profiles
        where seen_profiles.login not in (select profile_fingerprints.login from profile_fingerprints)
    ),

    -- jobs new in the window, changed (details, skills, demand weights), or gone from the window
    changed_jobs as (
        select jobs.posting_key
        from jobs
        left join seen_jobs on jobs.posting_key = seen_jobs.posting_key
        where jobs.job_fingerprint is distinct from seen_jobs.job_fingerprint
        union
        select seen_jobs.posting_key
        from seen_jobs
        where seen_jobs.posting_key not in (select jobs.posting_key from jobs)
    ),
{% endif %}

candidates as (
    select distinct
        profile_skills.login,
        job_skills.posting_key
    from profile_skills
    inner join job_skills on profile_skills.skill_id = job_skills.skill_id
    {% if is_incremental() %}
        where
            profile_skills.login in (select changed_logins.login from changed_logins)
            or job_skills.posting_key in (select changed_jobs.posting_key from changed_jobs)
    {% endif %}
),

pairs as (
    select
        candidates.login,
        candidates.posting_key,
        job_skills.skill_id,
        job_skills.demand_weight,
        profile_skills.skill_id is not null as is_matched
    from candidates
    inner join job_skills on candidates.posting_key = job_skills.posting_key
    left join profile_skills
        on
            candidates.login = profile_skills.login
            and job_skills.skill_id = profile_skills.skill_id
),

scored as (
    select
        login,
        posting_key,
        sum(demand_weight) filter (where is_matched) as matched_weight,
        count(*) filter (where is_matched) as matched_skill_count,
        array_agg(skill_id order by demand_weight desc, skill_id asc) filter (where is_matched) as matched_skills,
        coalesce(
            array_agg(skill_id order by demand_weight desc, skill_id asc) filter (where not is_matched),
            array[]::text[]
        ) as missing_skills
    from pairs
    group by login, posting_key
),

matches as (
    select
        scored.login || '|' || scored.posting_key as match_key,
        scored.login,
        scored.posting_key,
        jobs.job_title,
        jobs.employer_name,
        jobs.country_code,
        jobs.is_remote,
        jobs.salary_min_annual_usd,
        jobs.salary_max_annual_usd,
        jobs.apply_url,
        jobs.last_posted_at,
        round((scored.matched_weight / jobs.job_weight)::numeric, 6)::double precision as match_score,
        -- rounded: a sum of floats depends on its order, and ties must rank the same on every run
        round(scored.matched_weight::numeric, 9)::double precision as matched_weight,
        round(jobs.job_weight::numeric, 9)::double precision as job_weight,
        scored.matched_skill_count,
        jobs.job_skill_count,
        scored.matched_skills,
        scored.missing_skills,
        profile_fingerprints.profile_fingerprint,
        jobs.job_fingerprint,
        {{ careers_built_at() }} as matched_at
    from scored
    inner join jobs on scored.posting_key = jobs.posting_key
    inner join profile_fingerprints on scored.login = profile_fingerprints.login
),

final as (
    select * from matches
    {% if is_incremental() %}
        -- recomputed pairs that no longer match: a row without a score deletes the old one
        union all
        select
            seen.match_key,
            seen.login,
            seen.posting_key,
            null as job_title,
            null as employer_name,
            null as country_code,
            null as is_remote,
            null as salary_min_annual_usd,
            null as salary_max_annual_usd,
            null as apply_url,
            null as last_posted_at,
            null as match_score,
            null as matched_weight,
            null as job_weight,
            null as matched_skill_count,
            null as job_skill_count,
            null as matched_skills,
            null as missing_skills,
            null as profile_fingerprint,
            null as job_fingerprint,
            {{ careers_built_at() }} as matched_at
        from {{ this }} as seen
        where
            (
                seen.login in (select changed_logins.login from changed_logins)
                or seen.posting_key in (select changed_jobs.posting_key from changed_jobs)
            )
            and seen.match_key not in (select matches.match_key from matches)
    {% endif %}
)

select * from final
