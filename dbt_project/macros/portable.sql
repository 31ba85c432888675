{#- Portable SQL: what dbt's cross-database macros (dbt.split_part, dbt.date_trunc, dbt.type_string,
    ...) do not cover, as dispatched macros with a postgres__ and a spark__ variant. Models call
    these, never the engine's own functions (orchestration/spark/README.md). -#}

{#- pg_trgm's similarity(): the shared trigrams over all distinct trigrams of both (a float4).
    On Spark the same computation: words are runs of letters and digits (as in a UTF-8 database;
    var trigram_unicode_words=false for a database of locale C, where only ASCII ones are), each
    lower-cased and padded with two spaces before and one after; the distinct 3-character windows
    of every word are the trigrams. Null when either side is null; 0 when either has none. -#}
{% macro trigram_similarity(left, right) -%}
    {{ return(adapter.dispatch('trigram_similarity')(left, right)) }}
{%- endmacro %}

{% macro postgres__trigram_similarity(left, right) -%}
    similarity({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__trigram_similarity(left, right) -%}
    {%- set separators = regex_literal('[^\\p{L}\\p{N}]+' if var('trigram_unicode_words', true) else '[^a-z0-9]+') -%}
    case when {{ left }} is not null and {{ right }} is not null then transform(
        array(named_struct(
            'a', {{ spark_trigrams(left, separators) }},
            'b', {{ spark_trigrams(right, separators) }}
        )),
        words -> transform(
            array(size(array_intersect(words.a, words.b))),
            shared -> case
                when size(words.a) = 0 or size(words.b) = 0 then cast(0 as float)
                else cast(cast(shared as float) / cast(size(words.a) + size(words.b) - shared as float) as float)
            end
        )[0]
    )[0] end
{%- endmacro %}

{% macro spark_trigrams(expression, separators) -%}
    array_distinct(flatten(transform(
        filter(split(lower({{ expression }}), {{ separators }}), word -> word <> ''),
        word -> transform(sequence(1, length(word) + 1), i -> substring(concat('  ', word, ' '), i, 3))
    )))
{%- endmacro %}

{#- A regular expression as a string literal. Postgres keeps backslashes as written; a Spark
    literal drops single ones ('\s+' becomes 's+'), so they are doubled there. Patterns must be in
    the common subset of Postgres's and Java's regex: no \m or \M (Postgres's word boundaries;
    Java has \b, which is a backspace in Postgres). -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{#- Every match of `pattern` in `expression` replaced; `replacement` names groups as \1, \2. -#}
{% macro regex_replace(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regex_replace(expression, pattern, replacement) -%}
    {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(java_replacement) }})
{%- endmacro %}

{#- `expression` split at every match of `pattern`, as an array (empty parts kept). -#}
{% macro regex_split(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_split')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_split(expression, pattern) -%}
    regexp_split_to_array({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}

{% macro spark__regex_split(expression, pattern) -%}
    split({{ expression }}, {{ regex_literal(pattern) }}, -1)
{%- endmacro %}

{#- The group's values of `expression` as an array ordered by the expression `order_by`
    (`descending` for the reverse), null values kept; the order key must not be null. -#}
{% macro array_agg_ordered(expression, order_by, descending=false) -%}
    {{ return(adapter.dispatch('array_agg_ordered')(expression, order_by, descending)) }}
{%- endmacro %}

{% macro default__array_agg_ordered(expression, order_by, descending) -%}
    array_agg({{ expression }} order by {{ order_by }}{{ ' desc' if descending }})
{%- endmacro %}

{% macro spark__array_agg_ordered(expression, order_by, descending) -%}
    {%- set ordered = 'array_sort(collect_list(struct(' ~ order_by ~ ' as k, ' ~ expression ~ ' as v)))' -%}
    transform({{ 'reverse(' ~ ordered ~ ')' if descending else ordered }}, item -> item.v)
{%- endmacro %}

{#- The incremental strategy of a model keyed on `unique_key`: `postgres_strategy` (merge or
    delete+insert) on Postgres; on Spark's parquet tables (no merge without Delta or Iceberg)
    insert_overwrite of the model's `partition_by` partitions. -#}
{% macro portable_incremental_strategy(postgres_strategy='merge') -%}
    {{ return(adapter.dispatch('portable_incremental_strategy')(postgres_strategy)) }}
{%- endmacro %}

{% macro default__portable_incremental_strategy(postgres_strategy) -%}
    {{ return(postgres_strategy) }}
{%- endmacro %}

{% macro spark__portable_incremental_strategy(postgres_strategy) -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- A UTC instant from a timestamp without zone that holds UTC (SQLite's, dlt's parquet): Postgres
    gives timestamptz, Spark its timestamp (the session's zone is UTC: orchestration/spark). -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp')(expression)) }}
{%- endmacro %}

{% macro default__utc_timestamp(expression) -%}
    {{ expression }} at time zone 'utc'
{%- endmacro %}

{% macro spark__utc_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{#- The type of a UTC instant: timestamptz on Postgres, timestamp on Spark. -#}
{% macro type_utc_timestamp() -%}
    {{ return(adapter.dispatch('type_utc_timestamp')()) }}
{%- endmacro %}

{% macro default__type_utc_timestamp() -%}
    timestamptz
{%- endmacro %}

{% macro spark__type_utc_timestamp() -%}
    timestamp
{%- endmacro %}

{#- An exact decimal: Postgres's numeric keeps any scale; Spark's `numeric` alone is decimal(10,0),
    which drops every fraction, so Spark gets a scale. -#}
{% macro type_decimal() -%}
    {{ return(adapter.dispatch('type_decimal')()) }}
{%- endmacro %}

{% macro default__type_decimal() -%}
    numeric
{%- endmacro %}

{% macro spark__type_decimal() -%}
    decimal(38, 10)
{%- endmacro %}

{#- Dates before and after any other: Postgres's -infinity and infinity, Spark's first and last. -#}
{% macro date_before_any() -%}
    {{ return(adapter.dispatch('date_before_any')()) }}
{%- endmacro %}

{% macro default__date_before_any() -%}
    '-infinity'::date
{%- endmacro %}

{% macro spark__date_before_any() -%}
    date '0001-01-01'
{%- endmacro %}

{% macro date_after_any() -%}
    {{ return(adapter.dispatch('date_after_any')()) }}
{%- endmacro %}

{% macro default__date_after_any() -%}
    'infinity'::date
{%- endmacro %}

{% macro spark__date_after_any() -%}
    date '9999-12-31'
{%- endmacro %}

{#- Whether `expression` matches the regular expression `pattern` anywhere (Postgres's `~`, Spark's
    rlike; patterns as for regex_literal). -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    ({{ expression }}) ~ {{ regex_literal(pattern) }}
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    ({{ expression }}) rlike {{ regex_literal(pattern) }}
{%- endmacro %}
