{{ config(materialized='table', indexes=[{'columns': ['alias_key']}, {'columns': ['first_token']}]) }}

with

aliases as (
    select
        alias,
        skill_id,
        match_rule,
        case_form
    from {{ ref('skill_taxonomy_aliases') }}
),

skills as (
    select
        skill_id,
        category
    from {{ ref('skill_taxonomy_skills') }}
),

tokenized as (
    select
        aliases.alias,
        aliases.skill_id,
        skills.category,
        aliases.match_rule,
        nullif(aliases.case_form, '') as case_form,
        {{ skill_token_key('aliases.alias') }} as alias_key
    from aliases
    inner join skills on aliases.skill_id = skills.skill_id
),

final as (
    select
        alias,
        skill_id,
        category,
        match_rule,
        case_form,
        alias_key,
        split_part(alias_key, ' ', 1) as first_token,
        array_length(string_to_array(alias_key, ' '), 1) as token_count
    from tokenized
    where alias_key <> ''
)

select * from final
