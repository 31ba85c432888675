with

skills as (
    select
        skill_id,
        skill_name,
        category,
        is_hot_technology,
        taxonomy_version
    from {{ ref('skill_taxonomy_skills') }}
),

categories as (
    select
        category,
        category_name
    from {{ ref('skill_taxonomy_categories') }}
),

alias_counts as (
    select
        skill_id,
        count(*) as alias_count
    from {{ ref('skill_taxonomy_aliases') }}
    group by skill_id
),

final as (
    select
        skills.skill_id,
        skills.skill_name,
        skills.category,
        categories.category_name,
        skills.is_hot_technology,
        coalesce(alias_counts.alias_count, 0) as alias_count,
        skills.taxonomy_version
    from skills
    left join categories on skills.category = categories.category
    left join alias_counts on skills.skill_id = alias_counts.skill_id
)

select * from final
