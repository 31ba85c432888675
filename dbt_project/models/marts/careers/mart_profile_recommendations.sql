{{
    config(
        materialized='incremental',
        unique_key='login',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['login']}],
        post_hook=["delete from {{ this }} where recommendation_rank is null"],
    )
}}

{#- The top `careers_top_jobs` jobs of each profile by match score (ties: more demand matched, then
    the most recently posted, then the key).
    Incremental: a profile is ranked again when fct_profile_job_matches rewrote any of its matches
    since this model's last build (their matched_at, macro processed_watermark), or when one of its
    recommended jobs left its matches (a deleted match leaves no row to carry a marker; deleting a
    match outside the top jobs changes no rank). A profile ranked again gets its rows replaced
    whole (delete+insert on login): one left without a match is written as one row without a rank,
    which deletes its old rows, and the post-hook removes that row. -#}

with

changed_logins as (
    select matches.login
    from {{ ref('fct_profile_job_matches') }} as matches
    {% if careers_state_exists('recommended_at') or not is_incremental() %}
        where matches.matched_at > {{ processed_watermark('recommended_at') }}
    {% endif %}
    {% if is_incremental() %}
        union
        select seen.login
        from {{ this }} as seen
        where not exists (
            select 1
            from {{ ref('fct_profile_job_matches') }} as matches
            where matches.login = seen.login and matches.posting_key = seen.posting_key
        )
    {% endif %}
),

ranked as (
    select
        login,
        row_number() over (
            partition by login
            order by match_score desc, matched_weight desc, last_posted_at desc, posting_key asc
        ) as recommendation_rank,
        posting_key,
        job_title,
        employer_name,
        country_code,
        is_remote,
        salary_min_annual_usd,
        salary_max_annual_usd,
        apply_url,
        last_posted_at,
        match_score,
        matched_skill_count,
        job_skill_count,
        matched_skills,
        missing_skills
    from {{ ref('fct_profile_job_matches') }}
    where login in (select changed_logins.login from changed_logins)
),

recommendations as (
    select
        login || '|' || recommendation_rank as recommendation_key,
        login,
        recommendation_rank,
        posting_key,
        job_title,
        employer_name,
        country_code,
        is_remote,
        salary_min_annual_usd,
        salary_max_annual_usd,
        apply_url,
        last_posted_at,
        match_score,
        matched_skill_count,
        job_skill_count,
        matched_skills,
        missing_skills,
        {{ careers_built_at() }} as recommended_at
    from ranked
    where recommendation_rank <= {{ var('careers_top_jobs') }}
),

final as (
    select * from recommendations
    {% if is_incremental() %}
        -- a profile ranked again without any match left: one row without a rank deletes its rows
        union all
        select
            null as recommendation_key,
            changed_logins.login,
            null as recommendation_rank,
            null as posting_key,
            null as job_title,
            null as employer_name,
            null as country_code,
            null as is_remote,
            null as salary_min_annual_usd,
            null as salary_max_annual_usd,
            null as apply_url,
            null as last_posted_at,
            null as match_score,
            null as matched_skill_count,
            null as job_skill_count,
            null as matched_skills,
            null as missing_skills,
            {{ careers_built_at() }} as recommended_at
        from changed_logins
        where changed_logins.login not in (select recommendations.login from recommendations)
    {% endif %}
)

select * from final
