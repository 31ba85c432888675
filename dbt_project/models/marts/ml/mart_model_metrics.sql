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

{#- scorer label -> the prefix of its metric columns in stg_ml__model_versions -#}
{%- set scorers = {'model': 'model', 'home team wins': 'home_team_wins', 'elo alone': 'elo_alone'} %}

scorers as (
    {%- for scorer, prefix in scorers.items() %}
        select
            model_name,
            model_version,
            domain,
            trained_at,
            train_periods,
            holdout_period,
            n_holdout,
            is_promoted,
            '{{ scorer }}' as scorer,
            {{ prefix }}_accuracy as accuracy,
            {{ prefix }}_brier as brier_score,
            {{ prefix }}_log_loss as log_loss
        from versions
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
