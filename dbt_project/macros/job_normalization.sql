{#- Normalisation shared by the job-board staging models (Remotive, Arbeitnow, Adzuna; JSearch
    through int_job_postings__unified). Kept in SQL so that dbt unit tests cover it. -#}

{#- Salary amounts in free text, in order of appearance ("$120k-$150k a year" -> {120000, 150000}).
    A number is digits with . or , separators and an optional k. A separator followed by exactly
    three digits groups thousands ("€50.000", "£40,000", "1.234,56"); another separator is the
    decimal mark ("45.50", "$31,2k"); k multiplies by 1000. -#}
{% macro salary_text_amounts(expression) -%}
    array(
        select trim_scale(
            (replace(regexp_replace(
                regexp_replace(amounts.amount[1], '[kK]$', ''),
                '[.,]([0-9]{3})(?![0-9])', '\1', 'g'
            ), ',', '.'))::numeric
            * case when amounts.amount[1] ~ '[kK]$' then 1000 else 1 end)
        from regexp_matches(
            {{ expression }}, '([0-9]+(?:[.,][0-9]+)*[kK]?)(?![[:alnum:]])', 'g'
        ) with ordinality as amounts (amount, amount_position)
        order by amounts.amount_position
    )
{%- endmacro %}

{#- ISO 4217 currency named by a symbol or code in salary text; null when none is named. -#}
{% macro salary_text_currency(expression) -%}
    case
        when {{ expression }} ~* '€|\meur\M|\meuros?\M' then 'EUR'
        when {{ expression }} ~* '£|\mgbp\M' then 'GBP'
        when {{ expression }} ~* '\mchf\M' then 'CHF'
        when {{ expression }} ~* '₹|\minr\M' then 'INR'
        when {{ expression }} ~* '\m(a|au)\$|\maud\M' then 'AUD'
        when {{ expression }} ~* '\m(c|ca)\$|\mcad\M' then 'CAD'
        when {{ expression }} ~* '\$|\musd\M' then 'USD'
    end
{%- endmacro %}

{#- Pay period named in salary text (a salary_periods code), else null. -#}
{% macro salary_text_period(expression) -%}
    case
        when {{ expression }} ~* '(hour|/ ?hr\M|\mhr\M|/ ?h\M|stunde|hourly)' then 'HOUR'
        when {{ expression }} ~* '(\mday\M|daily|/ ?d\M|\mtag\M)' then 'DAY'
        when {{ expression }} ~* '(week|/ ?wk\M)' then 'WEEK'
        when {{ expression }} ~* '(month|/ ?mo\M|\mmonat|/ ?mth\M)' then 'MONTH'
        when {{ expression }} ~* '(year|annual|/ ?yr\M|\mp\.a\.|\mp\.a\M|per annum|\mjahr)' then 'YEAR'
    end
{%- endmacro %}

{#- When the text names no period, the size of the amount decides: 10,000 or more is a year,
    under 300 an hour; in between it stays unknown (the salary is then not annualised). -#}
{% macro salary_period_guess(period_expression, amount_expression) -%}
    coalesce(
        {{ period_expression }},
        case
            when {{ amount_expression }} >= 10000 then 'YEAR'
            when {{ amount_expression }} < 300 then 'HOUR'
        end
    )
{%- endmacro %}

{#- One employment-type vocabulary for every board: full_time, part_time, contract, internship,
    temporary, unknown. Reads codes (FULLTIME, full_time, CONTRACTOR) and free text in English and
    German (Vollzeit, Teilzeit, Praktikum, Werkstudent); the first rule that matches wins, so
    "Werkstudent" is part-time and "Vollzeit oder Teilzeit" is full-time. -#}
{% macro employment_type_from_text(expression) -%}
    case
        when {{ expression }} ~* '(\mintern(ship)?s?\M|praktik|\mtrainee)' then 'internship'
        when {{ expression }} ~* '(werkstudent|working student|minijob|\mside\M)' then 'part_time'
        when {{ expression }} ~* '(full[ _-]?time|vollzeit|permanent|festanstellung)' then 'full_time'
        when {{ expression }} ~* '(part[ _-]?time|teilzeit)' then 'part_time'
        when {{ expression }} ~* '(contract|freelance|freiberuf)' then 'contract'
        when {{ expression }} ~* '(temporary|\mtemp\M|befristet|aushilf|seasonal)' then 'temporary'
        else 'unknown'
    end
{%- endmacro %}

{#- Posting language by stop words: the language whose common short words occur most often among
    the words of the first 1,000 characters, when at least 3 occur; else null (ties: en, de, fr,
    es). Cheap (one split, no regex) and good enough to tell English from German, French and
    Spanish; not a language model. -#}
{% macro posting_language(expression) -%}
    {%- set stop_words = {
        'en': ['the', 'and', 'with', 'for', 'you', 'our', 'are', 'will', 'this', 'your', 'have', 'from'],
        'de': ['und', 'der', 'die', 'das', 'mit', 'für', 'wir', 'sie', 'ist', 'ein', 'eine', 'bei', 'auf', 'oder',
               'nicht', 'zu', 'von'],
        'fr': ['et', 'les', 'des', 'vous', 'nous', 'pour', 'avec', 'une', 'est', 'dans', 'sur'],
        'es': ['y', 'los', 'las', 'con', 'para', 'una', 'del', 'que', 'somos', 'por', 'nuestro'],
    } -%}
    (
        select
            case
                when greatest(counts.en, counts.de, counts.fr, counts.es) < 3 then null
                when counts.en = greatest(counts.en, counts.de, counts.fr, counts.es) then 'en'
                when counts.de = greatest(counts.de, counts.fr, counts.es) then 'de'
                when counts.fr = greatest(counts.fr, counts.es) then 'fr'
                else 'es'
            end
        from (
            select
                {%- for language, words in stop_words.items() %}
                count(*) filter (where words.word in ('{{ words | join("', '") }}')) as {{ language }}
                {{- "," if not loop.last }}
                {%- endfor %}
            from string_to_table(
                translate(lower(left({{ expression }}, 1000)), E'.,;:!?()[]"/\n\t\r-', '                  '), ' '
            ) as words (word)
        ) as counts
    )
{%- endmacro %}

{#- Hard and soft rules a staged posting breaks, from the standard staging column names. -#}
{% macro posting_quality_issues() -%}
    array_remove(array[
        case when job_title is null then 'missing_title' end,
        case when employer_name is null then 'missing_employer' end,
        case when salary_min < 0 or salary_max < 0 then 'negative_salary' end,
        case when salary_min > salary_max then 'salary_min_above_max' end,
        case
            when greatest(salary_min, salary_max) * periods_per_year > {{ var('max_annual_salary') }}
                then 'salary_out_of_range'
        end,
        case
            when (salary_min is not null or salary_max is not null) and periods_per_year is null
                then 'unknown_salary_period'
        end,
        case when salary_text is not null and salary_min is null and salary_max is null then 'unparsed_salary' end,
        case when description is null then 'missing_description' end
    ], null)
{%- endmacro %}

{#- Whether a source table exists (true while parsing, so that dbt records the dependency). -#}
{% macro raw_table_exists(source_name, table_name) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set relation = source(source_name, table_name) -%}
    {{ return(adapter.get_relation(relation.database, relation.schema, relation.identifier) is not none) }}
{%- endmacro %}

{#- Whether a source table has a column (true while parsing): a raw table loaded before a column
    was added lacks it until its board is loaded again. -#}
{% macro raw_column_exists(source_name, table_name, column_name) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(source(source_name, table_name)) -%}
    {{ return(column_name in columns | map(attribute='name') | list) }}
{%- endmacro %}

{#- True unless a board's raw tables are missing (the board was never loaded into this
    warehouse): its staging model is then empty instead of failing the whole build. -#}
{% macro raw_tables_exist(source_name) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(raw_table_exists(source_name, 'job_postings') and raw_table_exists(source_name, '_dlt_loads')) }}
{%- endmacro %}

{#- Rows of the raw contract (raw_<board>.job_postings) from complete loads not staged yet; no
    rows when the board's raw tables do not exist. `with_country=false` for a raw table without
    search_country (raw_jsearch before it had one): it is null there. -#}
{% macro raw_postings_of_new_loads(source_name, with_country=true) -%}
    {%- if raw_tables_exist(source_name) %}
    select
        loaded.job_id::text as job_id,
        loaded.posted_at,
        loaded.posted_at_source::text as posted_at_source,
        loaded.search_query::text as search_query,
        {% if with_country %}loaded.search_country::text{% else %}null::text{% endif %} as search_country,
        loaded.fetched_at,
        loaded.payload,
        loaded._dlt_load_id::text as load_id
    from {{ source(source_name, 'job_postings') }} as loaded
    where loaded._dlt_load_id in (
        {{ new_complete_loads(source_name) }}
    )
    {%- else %}
    select
        null::text as job_id,
        null::timestamptz as posted_at,
        null::text as posted_at_source,
        null::text as search_query,
        null::text as search_country,
        null::timestamptz as fetched_at,
        null::jsonb as payload,
        null::text as load_id
    where false
    {%- endif %}
{%- endmacro %}

{#- Whether two postings are in the same place for dedup: their countries agree (or one is
    unknown) and, unless one of them is remote, their cities agree (or one is unknown). A remote
    posting matches an office posting of the same country: boards list the same job both ways. -#}
{% macro same_place(left_posting, right_posting) -%}
    (
        (
            {{ left_posting }}.country_code is null or {{ right_posting }}.country_code is null
            or {{ left_posting }}.country_code = {{ right_posting }}.country_code
        )
        and (
            {{ left_posting }}.is_remote or {{ right_posting }}.is_remote
            or {{ left_posting }}.city is null or {{ right_posting }}.city is null
            or {{ lower_text(left_posting ~ '.city') }} = {{ lower_text(right_posting ~ '.city') }}
        )
    )
{%- endmacro %}


{#- The USD rates of seed exchange_rates_usd as validity windows (currency_code, usd_per_unit,
    valid_from, valid_to): a rate is valid from its date until the currency's next rate; the
    oldest also covers the past. Join on `day >= valid_from and day < valid_to`. -#}
{% macro usd_rate_windows() -%}
    select
        currency_code,
        usd_per_unit,
        case
            when rate_date = min(rate_date) over (partition by currency_code) then {{ date_before_any() }}
            else rate_date
        end as valid_from,
        coalesce(lead(rate_date) over (partition by currency_code order by rate_date), {{ date_after_any() }})
            as valid_to
    from {{ ref('exchange_rates_usd') }}
{%- endmacro %}
