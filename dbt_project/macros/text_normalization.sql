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

{#- "Acme, Inc." = "ACME Inc" = "acme": lower case, '&' as 'and', no punctuation, no legal suffix. -#}
{% macro normalize_company_name(expression) -%}
    nullif(trim(regexp_replace(
        regexp_replace(
            regexp_replace(replace(lower({{ expression }}), '&', ' and '), '[^a-z0-9 ]+', ' ', 'g'),
            '\s+(inc|incorporated|llc|ltd|limited|gmbh|corp|corporation|co|company|plc|ag|sa|bv|se)\s*$',
            '', 'g'),
        '\s+', ' ', 'g')), '')
{%- endmacro %}

{% macro normalize_title(expression) -%}
    nullif(trim(regexp_replace(lower({{ expression }}), '[^a-z0-9+#]+', ' ', 'g')), '')
{%- endmacro %}

{#- A number from json that may arrive as a number or a numeric string (schema drift). -#}
{% macro json_numeric(expression) -%}
    case
        when trim({{ expression }}) ~ '^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$'
            then trim({{ expression }})::numeric
    end
{%- endmacro %}
