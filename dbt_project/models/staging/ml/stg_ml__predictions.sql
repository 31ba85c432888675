{#- Predictions of promoted model versions, one row per model, version and record. Empty before
    the first promoted `make train`. -#}

with

{% if raw_table_exists('ml', 'predictions') %}
    predictions as (
        select
            predictions.model_name,
            predictions.model_version,
            predictions.record_id::bigint as record_id,
            predictions.probability::double precision as probability,
            predictions.predicted_at
        from {{ source('ml', 'predictions') }} as predictions
    ),
{% else %}
    predictions as (
        select
            null::text as model_name,
            null::text as model_version,
            null::bigint as record_id,
            null::double precision as probability,
            null::timestamptz as predicted_at
        where false
    ),
{% endif %}

final as (
    select * from predictions
)

select * from final
