{#- One row per repo and language with its bytes, from the newest languages read of each repo in
    complete dlt loads. A repo without languages (empty) has no rows. Empty when raw_github was never
    loaded. -#}

with

{% if github_raw_exists('repo_languages') %}
    complete_loads as (
        {{ new_complete_loads('raw_github') }}
    ),

    newest as (
        select distinct on (lower(languages.full_name))
            lower(languages.full_name) as full_name_key,
            languages.repo_id::bigint as repo_id,
            languages.languages,
            languages.total_bytes::bigint as total_bytes,
            languages.fetched_at,
            languages._dlt_load_id::text as load_id
        from {{ source('raw_github', 'repo_languages') }} as languages
        where languages._dlt_load_id in (select complete_loads.load_id from complete_loads)
        order by lower(languages.full_name) asc, languages.fetched_at desc, languages._dlt_load_id desc
    ),

    unnested as (
        select
            newest.full_name_key,
            newest.repo_id,
            each_language.key as language_name,
            each_language.value::bigint as language_bytes,
            newest.total_bytes,
            newest.fetched_at,
            newest.load_id
        from newest
        cross join lateral jsonb_each_text(newest.languages) as each_language
    ),
{% else %}
    unnested as (
        select
            null::text as full_name_key,
            null::bigint as repo_id,
            null::text as language_name,
            null::bigint as language_bytes,
            null::bigint as total_bytes,
            null::timestamptz as fetched_at,
            null::text as load_id
        where false
    ),
{% endif %}

final as (
    select
        full_name_key,
        repo_id,
        language_name,
        language_bytes,
        total_bytes,
        fetched_at,
        load_id
    from unnested
)

select * from final
