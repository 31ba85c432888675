{{ config(materialized='table') }}

{#- The aliases and extraction rules that int_job_postings__skill_mentions reflects: a copy of
    int_skill_aliases__tokenized and the fingerprint of the rules (macro skill_mention_ctes),
    rebuilt after every extraction. On its next run the mentions model compares the taxonomy
    with this copy and re-extracts only the postings a changed alias may affect (all of them when
    the rules changed). A run that fails before this model leaves the old copy, so the comparison
    is made again: re-extraction is idempotent. #}

-- built after the extraction it describes: depends_on: {{ ref('int_job_postings__skill_mentions') }}

with

final as (
    select
        {{ skill_alias_definition() }},
        '{{ skill_extractor_fingerprint() }}' as extractor_fingerprint
    from {{ ref('int_skill_aliases__tokenized') }}
)

select * from final
