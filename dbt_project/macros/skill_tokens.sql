{#- One tokeniser for postings and aliases, so an alias matches exactly the token sequence it
    produces in text. A word is letters/digits with inner dots and trailing + or #
    (node.js, asp.net, c++, c#); the punctuation . / & + # - stands alone, so `.net` is `. net`,
    `ci/cd` is `ci / cd`, and `R&D` or `C-suite` can be recognised as such. -#}
{% macro skill_token_pattern() -%}
    '[[:alnum:]]+(?:\.[[:alnum:]]+)*[+#]*|[./&+#-]'
{%- endmacro %}

{#- Lower-case token key of a text: tokens joined by single spaces. -#}
{% macro skill_token_key(expression) -%}
    array_to_string(array(
        select token_match[1]
        from regexp_matches(lower({{ expression }}), {{ skill_token_pattern() }}, 'g')
            with ordinality as matched (token_match, token_position)
        order by matched.token_position
    ), ' ')
{%- endmacro %}
