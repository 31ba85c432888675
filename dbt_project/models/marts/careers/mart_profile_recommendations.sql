{#- The top `careers_top_jobs` jobs of each profile by match score (ties: more demand matched, then
    the most recently posted, then the key). -#}

with

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
),

final as (
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
        missing_skills
    from ranked
    where recommendation_rank <= {{ var('careers_top_jobs') }}
)

select * from final
