{#- One tokeniser for postings and aliases, so an alias matches exactly the token sequence it
    produces in text. A word is letters/digits with inner dots and trailing + or #
    (node.js, asp.net, c++, c#); the punctuation . / & + # - stands alone, so `.net` is `. net`,
    `ci/cd` is `ci / cd`, and `R&D` or `C-suite` can be recognised as such. Line breaks, ! ? ;
    and bullets are tokens too (no alias contains them): they end sentences, so no alias spans
    two lines and the extractor can judge a match by its sentence (skill_sentence_break). -#}
{% macro skill_token_pattern() -%}
    '{{ skill_word_class() }}+(?:\.{{ skill_word_class() }}+)*[+#]*|[./&+#-]|[\n!?;•*]'
{%- endmacro %}

{#- A letter or digit, by code point: [[:alnum:]] follows the database's locale (ASCII only under
    the C locale the embedded warehouse uses, every script under C.UTF-8), so "Größe" would be one
    word on one server and three tokens on another. These ranges are letters and combining marks
    of the Latin, Greek, Cyrillic, ..., CJK and Hangul blocks; punctuation, symbols, emoji and
    zero-width characters stay outside (the tests check the same ranges in Python). -#}
{% macro skill_word_class() -%}
    [0-9A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02AF\u0300-\u036F\u0370-\u1FFF\u2C00-\u2DFF\u3040-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFB00-\uFB4F]
{%- endmacro %}

{#- A token that ends a sentence or a list item (a regex bracket expression). -#}
{% macro skill_sentence_break() -%}
    [\n.!?;•*]
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

{#- Number of tokens in a text (null for null): token positions of a character offset. -#}
{% macro skill_token_count(expression) -%}
    (case when {{ expression }} is not null then cardinality(array(
        select 1 from regexp_matches({{ expression }}, {{ skill_token_pattern() }}, 'g')
    )) end)
{%- endmacro %}

{#- Lower-case words that make a sentence address the candidate or ask something of them
    (a regex over the sentence's words). -#}
{% macro skill_requirement_words() -%}
    '\m(you|your|experience|experienced|knowledge|familiar|familiarity|proficient|proficiency|skill|skills|understanding|expertise|background|degree|plus|bonus|required|requirement|requirements|exposure|solid|strong|good|excellent|deep|hands|know)\M'
{%- endmacro %}

{#- The columns that define how an alias matches (int_skill_aliases__tokenized): a change in any of
    them is a taxonomy change the mentions model re-extracts for (int_skill_aliases__applied). -#}
{% macro skill_alias_definition() -%}
    alias, skill_id, category, is_field, match_rule, case_form, alias_key, longest_token
{%- endmacro %}
