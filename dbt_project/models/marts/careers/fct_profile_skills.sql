{#- Profile x skill with its evidence: the repo languages and topics of a profile's own repos (forks
    are someone else's code) mapped through the skill taxonomy's aliases, the same aliases the job
    postings are read with (int_skill_aliases__tokenized): a new alias reaches both sides. -#}

with

profiles as (
    select
        user_id,
        login
    from {{ ref('stg_github__users') }}
),

own_repos as (
    select
        repo_id,
        owner_login,
        full_name_key,
        topics,
        pushed_at
    from {{ ref('stg_github__repos') }}
    where not is_fork
),

aliases as (
    select distinct
        alias_key,
        skill_id
    from {{ ref('int_skill_aliases__tokenized') }}
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

final as (
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
        by_skill.last_used_at
    from by_skill
    inner join profiles on by_skill.owner_login = profiles.login
    inner join {{ ref('skill_taxonomy_skills') }} as skills on by_skill.skill_id = skills.skill_id
    left join profile_bytes on by_skill.owner_login = profile_bytes.owner_login
)

select * from final
