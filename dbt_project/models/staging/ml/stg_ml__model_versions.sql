{#- Every model version `make train` recorded, promoted or not, with its metrics on the held-out
    period beside its baselines. Empty before the first `make train`. -#}

with

{% if raw_table_exists('ml', 'model_versions') %}
    versions as (
        select
            versions.model_name,
            versions.model_version,
            versions.domain,
            versions.trained_at,
            versions.train_periods,
            versions.holdout_period::integer as holdout_period,
            versions.n_train::integer as n_train,
            versions.n_holdout::integer as n_holdout,
            versions.is_promoted,
            versions.promotion_reason,
            versions.reference_baseline,
            versions.model_accuracy::double precision as model_accuracy,
            versions.model_brier::double precision as model_brier,
            versions.model_log_loss::double precision as model_log_loss,
            versions.home_team_wins_accuracy::double precision as home_team_wins_accuracy,
            versions.home_team_wins_brier::double precision as home_team_wins_brier,
            versions.home_team_wins_log_loss::double precision as home_team_wins_log_loss,
            versions.elo_alone_accuracy::double precision as elo_alone_accuracy,
            versions.elo_alone_brier::double precision as elo_alone_brier,
            versions.elo_alone_log_loss::double precision as elo_alone_log_loss
        from {{ source('ml', 'model_versions') }} as versions
    ),
{% else %}
    versions as (
        select
            null::text as model_name,
            null::text as model_version,
            null::text as domain,  -- noqa: RF04
            null::timestamptz as trained_at,
            null::text as train_periods,
            null::integer as holdout_period,
            null::integer as n_train,
            null::integer as n_holdout,
            null::boolean as is_promoted,
            null::text as promotion_reason,
            null::text as reference_baseline,
            null::double precision as model_accuracy,
            null::double precision as model_brier,
            null::double precision as model_log_loss,
            null::double precision as home_team_wins_accuracy,
            null::double precision as home_team_wins_brier,
            null::double precision as home_team_wins_log_loss,
            null::double precision as elo_alone_accuracy,
            null::double precision as elo_alone_brier,
            null::double precision as elo_alone_log_loss
        where false
    ),
{% endif %}

final as (
    select * from versions
)

select * from final
