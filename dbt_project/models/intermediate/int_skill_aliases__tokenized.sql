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
        category,
        is_field
    from {{ ref('skill_taxonomy_skills') }}
),

tokenized as (
    select
        aliases.alias,
        aliases.skill_id,
        skills.category,
        skills.is_field,
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
        is_field,
        match_rule,
        case_form,
        alias_key,
        split_part(alias_key, ' ', 1) as first_token,
        array_length(string_to_array(alias_key, ' '), 1) as token_count,
        -- the alias's longest token: a posting that contains the alias contains this text (lower
        -- case), which finds the postings a taxonomy change may affect without tokenising them
        (
            select alias_tokens.token
            from unnest(string_to_array(alias_key, ' ')) as alias_tokens (token)
            order by length(alias_tokens.token) desc, alias_tokens.token asc
            limit 1
        ) as longest_token
    from tokenized
    where alias_key <> ''
)

select * from final
