{#- Every model version's held-out metrics beside its baselines, one row per version and scorer
    (the model, home team wins, Elo alone), newest first per model: the trend of `make train`. -#}

with

versions as (
    select
        model_name,
        model_version,
        domain,
        trained_at,
        train_periods,
        holdout_period,
        n_holdout,
        is_promoted,
        model_accuracy,
        model_brier,
        model_log_loss,
        home_team_wins_accuracy,
        home_team_wins_brier,
        home_team_wins_log_loss,
        elo_alone_accuracy,
        elo_alone_brier,
        elo_alone_log_loss
    from {{ ref('stg_ml__model_versions') }}
),

scorers as (
    select
        model_name,
        model_version,
        domain,
        trained_at,
        train_periods,
        holdout_period,
        n_holdout,
        is_promoted,
        'model' as scorer,
        model_accuracy as accuracy,
        model_brier as brier_score,
        model_log_loss as log_loss
    from versions
    union all
    select
        model_name,
        model_version,
        domain,
        trained_at,
        train_periods,
        holdout_period,
        n_holdout,
        is_promoted,
        'home team wins' as scorer,
        home_team_wins_accuracy as accuracy,
        home_team_wins_brier as brier_score,
        home_team_wins_log_loss as log_loss
    from versions
    union all
    select
        model_name,
        model_version,
        domain,
        trained_at,
        train_periods,
        holdout_period,
        n_holdout,
        is_promoted,
        'elo alone' as scorer,
        elo_alone_accuracy as accuracy,
        elo_alone_brier as brier_score,
        elo_alone_log_loss as log_loss
    from versions
),

final as (
    select
        model_name,
        model_version,
        domain,
        trained_at,
        train_periods,
        holdout_period,
        n_holdout,
        is_promoted,
        scorer,
        accuracy,
        brier_score,
        log_loss
    from scorers
)

select * from final
