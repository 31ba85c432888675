{#- Public repos of the profiles from complete dlt loads, the newest version of each repo; forks and
    archived repos flagged. Empty when raw_github was never loaded. -#}

with

{% if github_raw_exists('repos') %}
    complete_loads as (
        {{ new_complete_loads('raw_github') }}
    ),

    raw_repos as (
        select
            repos.repo_id::bigint as repo_id,
            repos.user_id::bigint as user_id,
            lower(repos.owner_login) as owner_login,
            repos.name as repo_name,
            repos.full_name,
            lower(repos.full_name) as full_name_key,
            coalesce(repos.is_fork, false) as is_fork,
            coalesce(repos.is_archived, false) as is_archived,
            repos.primary_language,
            coalesce(repos.topics, '[]'::jsonb) as topics,
            repos.stargazers_count::bigint as stargazers_count,
            repos.created_at,
            repos.updated_at,
            repos.pushed_at,
            repos.fetched_at,
            repos._dlt_load_id::text as load_id
        from {{ source('raw_github', 'repos') }} as repos
        where repos._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    raw_repos as (
        select
            null::bigint as repo_id,
            null::bigint as user_id,
            null::text as owner_login,
            null::text as repo_name,
            null::text as full_name,
            null::text as full_name_key,
            null::boolean as is_fork,
            null::boolean as is_archived,
            null::text as primary_language,
            null::jsonb as topics,
            null::bigint as stargazers_count,
            null::timestamptz as created_at,
            null::timestamptz as updated_at,
            null::timestamptz as pushed_at,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select distinct on (repo_id)
        repo_id,
        user_id,
        owner_login,
        repo_name,
        full_name,
        full_name_key,
        is_fork,
        is_archived,
        primary_language,
        topics,
        stargazers_count,
        created_at,
        updated_at,
        pushed_at,
        fetched_at,
        load_id
    from raw_repos
    order by repo_id asc, fetched_at desc, load_id desc
)

select * from final
