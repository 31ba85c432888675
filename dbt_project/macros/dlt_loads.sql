{#- Staging reads only rows of complete dlt loads (status 0 in `_dlt_loads`): a load that
    crashed half-way stays invisible until dlt finishes it on the next run. On an incremental
    run only loads not yet seen by `this` are read, so the cost follows the new data. -#}
{% macro new_complete_loads(source_name, load_id_column='load_id') -%}
    select loads.load_id
    from {{ source(source_name, '_dlt_loads') }} as loads
    where loads.status = 0
    {% if is_incremental() %}
        and not exists (
            select 1 from {{ this }} as seen
            where seen.{{ load_id_column }} = loads.load_id
        )
    {% endif %}
{%- endmacro %}

{#- dlt creates no index on `_dlt_load_id`; reading one load must not scan the whole table. -#}
{% macro ensure_load_id_index(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
        {%- do run_query(
            "create index if not exists " ~ table_name ~ "__dlt_load_id_idx on "
            ~ relation ~ " (_dlt_load_id)"
        ) -%}
    {%- endif -%}
{%- endmacro %}

{#- The newest `unified_at` (when a row reached int_job_postings__unified) an incremental model
    has processed: `unified_at > {{ processed_watermark('last_unified_at') }}` selects exactly the
    rows it has not seen. Arrival order, not load ids: dlt's load ids are creation times, and a
    load completed by a later run (after a crash) or staged later (a run of other sources in
    between) has an older id than loads already processed. On a full build, a time before any.
    With as_literal, the value is read when the model runs and written into its SQL: the planner
    then sees how few rows are newer (a subquery's value is unknown when the query is planned, and
    a third of the table is assumed, so whole tables get sorted or hashed). -#}
{% macro processed_watermark(column_name, as_literal=false) -%}
    {%- set before_any = "cast('1900-01-01' as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- if is_incremental() and as_literal and execute -%}
        {%- set newest = run_query(
            "select cast(max(" ~ column_name ~ ") as " ~ dbt.type_string() ~ ") from " ~ this
        ).columns[0].values()[0] -%}
        {%- if newest is none -%}{{ before_any }}{%- else -%}'{{ newest }}'{%- endif -%}
    {%- elif is_incremental() -%}
        (select coalesce(max(seen.{{ column_name }}), {{ before_any }}) from {{ this }} as seen)
    {%- else -%}
        {{ before_any }}
    {%- endif -%}
{%- endmacro %}

{#- Board postings re-extracted (a taxonomy or rule change) since this incremental model last ran:
    rows of int_job_postings__skill_mentions extracted after the model's newest `column_name`
    (none on a full build, which reads everything anyway). -#}
{% macro reextracted_postings(column_name) -%}
    select reextracted.job_id
    from {{ ref('int_job_postings__skill_mentions') }} as reextracted
    where
        reextracted.extraction_reason <> 'new_load'
        and reextracted.extracted_at > {% if is_incremental() -%}
            (select coalesce(max(seen.{{ column_name }}), '-infinity') from {{ this }} as seen)
        {%- else -%}
            'infinity'::timestamptz
        {%- endif %}
{%- endmacro %}

{#- Weeks whose jobs changed since this weekly mart last ran: the weeks it must recompute. Jobs
    change with new loads, and their skills change when a taxonomy or rule change re-extracted
    their canonical posting. -#}
{% macro changed_posted_weeks() -%}
    select jobs.posted_week
    from {{ ref('fct_job_postings') }} as jobs
    where jobs.last_unified_at > {{ processed_watermark('last_unified_at') }}
    union
    select jobs.posted_week
    from {{ ref('fct_job_postings') }} as jobs
    where jobs.canonical_posting_id in ({{ reextracted_postings('last_extracted_at') }})
{%- endmacro %}

{#- The newest version of each `key` (a column or a list of them) among the rows of CTE `rows`:
    the first by `order_by` (default: the latest load wins), every column of `rows` plus
    version_rank, always 1. Postgres's raw tables are merged by dlt already; the raw files on Spark
    keep every load's version (dlt's filesystem destination appends). -#}
{% macro newest_version(rows, key, order_by='load_id desc') -%}
    {%- set keys = [key] if key is string else key -%}
    select versions.*
    from (
        select
            {{ rows }}.*,
            row_number() over (
                partition by {% for column in keys %}{{ rows }}.{{ column }}{{ ', ' if not loop.last }}{% endfor %}
                order by {{ order_by }}
            ) as version_rank
        from {{ rows }}
    ) as versions
    where versions.version_rank = 1
{%- endmacro %}
