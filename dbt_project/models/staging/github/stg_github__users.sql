{#- GitHub profiles from complete dlt loads, the newest version of each user. Empty when
    raw_github was never loaded. -#}

with

{% if github_raw_exists('users') %}
    complete_loads as (
        {{ new_complete_loads('raw_github') }}
    ),

    raw_users as (
        select
            github_users.user_id::bigint as user_id,
            lower(github_users.login) as login,
            nullif(trim(github_users.name), '') as display_name,
            nullif(trim(github_users.company), '') as company,
            nullif(trim(github_users.location), '') as user_location,
            github_users.account_type,
            github_users.public_repos::bigint as public_repos,
            github_users.followers::bigint as followers,
            github_users.created_at,
            github_users.updated_at,
            github_users.fetched_at,
            github_users._dlt_load_id::text as load_id
        from {{ source('raw_github', 'users') }} as github_users
        where github_users._dlt_load_id in (select complete_loads.load_id from complete_loads)
    ),
{% else %}
    raw_users as (
        select
            null::bigint as user_id,
            null::text as login,
            null::text as display_name,
            null::text as company,
            null::text as user_location,
            null::text as account_type,
            null::bigint as public_repos,
            null::bigint as followers,
            null::timestamptz as created_at,
            null::timestamptz as updated_at,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select distinct on (user_id)
        user_id,
        login,
        display_name,
        company,
        user_location,
        account_type,
        public_repos,
        followers,
        created_at,
        updated_at,
        fetched_at,
        load_id
    from raw_users
    order by user_id asc, fetched_at desc, load_id desc
)

select * from final
