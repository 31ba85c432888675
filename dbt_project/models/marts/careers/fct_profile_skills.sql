{{
    config(
        materialized='incremental',
        unique_key='login',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['login']}, {'columns': ['skill_id']}],
        post_hook=["delete from {{ this }} where skill_id is null"],
    )
}}

{#- Profile x skill with its evidence: the repo languages and topics of a profile's own repos (forks
    are someone else's code) mapped through the skill taxonomy's aliases, the same aliases the job
    postings are read with (int_skill_aliases__tokenized): a new alias reaches both sides.
    Incremental: only the profiles whose user, repos or languages were fetched since the last build
    are recomputed (all of them when the aliases changed). A recomputed profile gets its rows
    replaced whole (delete+insert on login): one without any skill is written as one row without a
    skill, which deletes its old rows, and the post-hook removes that row. -#}

with

aliases as (
    select distinct
        alias_key,
        skill_id
    from {{ ref('int_skill_aliases__tokenized') }}
),

-- what the aliases were when a profile was computed: a change recomputes every profile
alias_fingerprint as (
    select md5(string_agg(alias_key || '=' || skill_id, ',' order by alias_key, skill_id)) as fingerprint
    from aliases
),

repo_fetches as (
    select
        owner_login as login,
        max(fetched_at) as fetched_at
    from {{ ref('stg_github__repos') }}
    group by owner_login
),

language_fetches as (
    select
        repos.owner_login as login,
        max(repo_languages.fetched_at) as fetched_at
    from {{ ref('stg_github__repo_languages') }} as repo_languages
    inner join {{ ref('stg_github__repos') }} as repos on repo_languages.full_name_key = repos.full_name_key
    group by repos.owner_login
),

all_profiles as (
    select
        github_users.user_id,
        github_users.login,
        greatest(github_users.fetched_at, repo_fetches.fetched_at, language_fetches.fetched_at) as last_fetched_at
    from {{ ref('stg_github__users') }} as github_users
    left join repo_fetches on github_users.login = repo_fetches.login
    left join language_fetches on github_users.login = language_fetches.login
),

profiles as (
    select
        all_profiles.user_id,
        all_profiles.login,
        all_profiles.last_fetched_at
    from all_profiles
    {% if is_incremental() %}
        where
            all_profiles.last_fetched_at > {{ processed_watermark('last_fetched_at') }}
            or (select alias_fingerprint.fingerprint from alias_fingerprint)
            is distinct from (select max(seen.alias_fingerprint) from {{ this }} as seen)
    {% endif %}
),

own_repos as (
    select
        repo_id,
        owner_login,
        full_name_key,
        topics,
        pushed_at
    from {{ ref('stg_github__repos') }}
    where not is_fork and owner_login in (select profiles.login from profiles)
),

languages as (
    select
        own_repos.owner_login,
        own_repos.repo_id,
        own_repos.pushed_at,
        repo_languages.language_name,
        repo_languages.language_bytes
    from own_repos
    inner join {{ ref('stg_github__repo_languages') }} as repo_languages
        on own_repos.full_name_key = repo_languages.full_name_key
),

distinct_languages as (
    select distinct language_name
    from languages
),

language_keys as (
    select
        language_name,
        {{ skill_token_key('language_name') }} as alias_key
    from distinct_languages
),

language_evidence as (
    select
        languages.owner_login,
        languages.repo_id,
        languages.pushed_at,
        aliases.skill_id,
        languages.language_bytes
    from languages
    inner join language_keys on languages.language_name = language_keys.language_name
    inner join aliases on language_keys.alias_key = aliases.alias_key
),

topics as (
    select
        own_repos.owner_login,
        own_repos.repo_id,
        own_repos.pushed_at,
        repo_topics.topic
    from own_repos
    cross join lateral jsonb_array_elements_text(own_repos.topics) as repo_topics (topic)
),

distinct_topics as (
    select distinct topic
    from topics
),

-- a topic is a slug: `machine-learning`, `ci-cd`, `spring-boot`; read as written, with spaces and with slashes
topic_keys as (
    select
        topic,
        {{ skill_token_key('topic') }} as alias_key
    from distinct_topics
    union
    select
        topic,
        {{ skill_token_key("replace(topic, '-', ' ')") }} as alias_key
    from distinct_topics
    union
    select
        topic,
        {{ skill_token_key("replace(topic, '-', '/')") }} as alias_key
    from distinct_topics
),

topic_evidence as (
    select distinct
        topics.owner_login,
        topics.repo_id,
        topics.pushed_at,
        aliases.skill_id
    from topics
    inner join topic_keys on topics.topic = topic_keys.topic
    inner join aliases on topic_keys.alias_key = aliases.alias_key
),

profile_bytes as (
    select
        owner_login,
        sum(language_bytes) as total_bytes
    from languages
    group by owner_login
),

evidence as (
    select
        owner_login,
        repo_id,
        pushed_at,
        skill_id,
        language_bytes,
        false as is_topic
    from language_evidence
    union all
    select
        owner_login,
        repo_id,
        pushed_at,
        skill_id,
        0 as language_bytes,
        true as is_topic
    from topic_evidence
),

by_skill as (
    select
        owner_login,
        skill_id,
        sum(language_bytes) as language_bytes,
        count(distinct repo_id) as repo_count,
        count(distinct repo_id) filter (where not is_topic) as language_repo_count,
        count(distinct repo_id) filter (where is_topic) as topic_hits,
        max(pushed_at) as last_used_at
    from evidence
    group by owner_login, skill_id
),

skill_rows as (
    select
        profiles.login || '|' || by_skill.skill_id as profile_skill_key,
        profiles.user_id,
        profiles.login,
        by_skill.skill_id,
        skills.skill_name,
        skills.category,
        by_skill.language_bytes,
        coalesce(by_skill.language_bytes::double precision / nullif(profile_bytes.total_bytes, 0), 0)
            as language_byte_share,
        by_skill.repo_count,
        by_skill.language_repo_count,
        by_skill.topic_hits,
        by_skill.last_used_at,
        profiles.last_fetched_at
    from by_skill
    inner join profiles on by_skill.owner_login = profiles.login
    inner join {{ ref('skill_taxonomy_skills') }} as skills on by_skill.skill_id = skills.skill_id
    left join profile_bytes on by_skill.owner_login = profile_bytes.owner_login
),

-- a recomputed profile without any skill: one row without a skill deletes its old rows
no_skill_rows as (
    select
        null::text as profile_skill_key,
        profiles.user_id,
        profiles.login,
        null::text as skill_id,
        null::text as skill_name,
        null::text as category,
        null::numeric as language_bytes,
        null::double precision as language_byte_share,
        null::bigint as repo_count,
        null::bigint as language_repo_count,
        null::bigint as topic_hits,
        null::timestamptz as last_used_at,
        profiles.last_fetched_at
    from profiles
    where profiles.login not in (select skill_rows.login from skill_rows)
),

final as (
    select
        profile_skill_key,
        user_id,
        login,
        skill_id,
        skill_name,
        category,
        language_bytes,
        language_byte_share,
        repo_count,
        language_repo_count,
        topic_hits,
        last_used_at,
        last_fetched_at,
        (select alias_fingerprint.fingerprint from alias_fingerprint) as alias_fingerprint
    from skill_rows
    union all
    select
        profile_skill_key,
        user_id,
        login,
        skill_id,
        skill_name,
        category,
        language_bytes,
        language_byte_share,
        repo_count,
        language_repo_count,
        topic_hits,
        last_used_at,
        last_fetched_at,
        (select alias_fingerprint.fingerprint from alias_fingerprint) as alias_fingerprint
    from no_skill_rows
)

select * from final
