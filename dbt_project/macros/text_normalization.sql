{#- Text clean-up shared by every staging model. Kept in SQL so that dbt unit tests cover it. -#}

{#- HTML to plain text. Regex replacement is costly on long text in Postgres, so text without
    markup or entities (most postings) skips it. -#}
{% macro html_to_text(expression) -%}
    nullif(trim(
        case
            when strpos({{ expression }}, '<') > 0 or strpos({{ expression }}, '&') > 0
                then regexp_replace(
                    replace(replace(replace(replace(replace(replace(
                        regexp_replace({{ expression }}, '<[^>]*>', ' ', 'g'),
                        '&nbsp;', ' '), '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&amp;', '&'),
                    '[ \t]{2,}', ' ', 'g')
            else {{ expression }}
        end
    ), '')
{%- endmacro %}

{#- lower() that also lowers accented capitals whatever the database collation ("VALLÉE" =
    "vallée"); lower() alone leaves them in a C-collated database. -#}
{% macro lower_text(expression) -%}
    translate(
        lower({{ expression }}),
        'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞŁŃŚŹŻĆĘĄŒ',
        'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþłńśźżćęąœ'
    )
{%- endmacro %}

{#- "Acme, Inc." = "ACME Inc" = "acme" = "The Acme Company": lower case, '&' as 'and', no
    punctuation (dots dropped, so "B.V." is "bv"), no leading "the", no trailing legal suffixes
    (inc, llc, ltd, gmbh, ag, se, corp, co, plc, bv, pty, private, sas, ... and long forms; "GmbH & Co. KG" as a
    whole). Accented letters stay. -#}
{% macro normalize_company_name(expression) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    replace(replace({{ lower_text(expression) }}, '.', ''), '&', ' and '), '[^a-z0-9\u00c0-\u024f ]+', ' ', 'g'
                ),
                '^\s*the\s+', '', 'g'),
            '(\s+(inc|incorporated|llc|ltd|limited|gmbh|mbh|kg|ag|se|corp|corporation|co|company|plc|sa|sas|sarl|srl|spa|bv|nv|ug|pty|pvt|private|oy|ab|aps|and))+\s*$',
            '', 'g'),
        '\s+', ' ', 'g')), '')
{%- endmacro %}

{#- Lower-case title without punctuation or gender tags ("(m/w/d)", "(all genders)"), for
    matching the same job across postings. -#}
{% macro normalize_title(expression) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            {{ lower_text(expression) }},
            '\(?\m(m|w|f|h|d|x|div)\s*[/|,]\s*(m|w|f|h|d|x|div)(\s*[/|,]\s*(m|w|f|h|d|x|div))?\M\)?|\((all )?genders?\)',
            ' ', 'g'),
        '[^a-z0-9\u00c0-\u024f+#]+', ' ', 'g')), '')
{%- endmacro %}

{#- A number from json that may arrive as a number or a numeric string (schema drift). -#}
{% macro json_numeric(expression) -%}
    case
        when trim({{ expression }}) ~ '^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'
            then trim({{ expression }})::numeric
    end
{%- endmacro %}
