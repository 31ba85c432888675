{#- What the source knows of each profile's repo listing: repos listed against the profile's
    public_repos, whether every page was read, and why not. Empty when raw_github was never loaded. -#}

with

{% if github_raw_exists('repo_listings') %}
    complete_loads as (
        {{ new_complete_loads('raw_github') }}
    ),

    raw_listings as (
        select
            lower(listings.login) as login,
            listings.user_id::bigint as user_id,
            listings.public_repos::bigint as public_repos,
            listings.repos_listed::bigint as repos_listed,
            coalesce(listings.is_complete, false) as is_complete,
            listings.note,
            listings.listed_at,
            listings._dlt_load_id::text as load_id
        from {{ source('raw_github', 'repo_listings') }} as listings
        where listings._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    raw_listings as (
        select
            null::text as login,
            null::bigint as user_id,
            null::bigint as public_repos,
            null::bigint as repos_listed,
            null::boolean as is_complete,
            null::text as note,
            null::timestamptz as listed_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select distinct on (login)
        login,
        user_id,
        public_repos,
        repos_listed,
        is_complete,
        note,
        is_complete and repos_listed = public_repos as is_whole,
        listed_at,
        load_id
    from raw_listings
    order by login asc, listed_at desc, load_id desc
)

select * from final
