"""`make train`: the warehouse's predictive models (models.py lists them, one ModelSpec each).

Every model reads one dbt feature mart, trains on past periods and is evaluated on the latest one
held out, beside its baselines; a version (a hash of its window, features and fitted
coefficients) is recorded with its metrics in `ml.model_versions` whether or not it is promoted,
and a promoted model's predictions for rows without a label yet go to `ml.predictions`, both
through dlt. dbt then stages them (models/staging/ml) for the domains' prediction marts.
"""
