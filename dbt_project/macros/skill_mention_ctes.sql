{#- The skill extractor, shared by the warehouse model (int_job_postings__skill_mentions) and the
    labelled benchmark (make bench-skills), so the benchmark measures exactly what ships.
    Expects a CTE `postings` (job_id, load_id, posting_text) before it; defines `final`:
    one row per job_id and skill_id.

    Token n-grams starting at alias first tokens are hash-joined to alias keys; ambiguous aliases
    need exact casing and, for needs_context, nearby programming words or another skill; matches
    inside a longer match are dropped. Row estimates of set-returning functions are guesses, so
    the caller pins the plan (materialized CTEs here, no merge joins in its pre_hook). -#}
{% macro skill_mention_ctes() %}
{#- fields and practices that also name roles, teams, departments and industries -#}
{%- set broad_categories -%}
'methodology', 'devops', 'data_engineering', 'machine_learning', 'design', 'bi_analytics', 'field_of_study',
'industry_domain', 'security', 'testing', 'database', 'systems', 'data_warehouse', 'mobile', 'cloud'
{%- endset %}
aliases as (
    select
        tokenized.alias,
        tokenized.skill_id,
        tokenized.category,
        tokenized.match_rule,
        tokenized.case_form,
        tokenized.alias_key,
        tokenized.first_token,
        tokenized.token_count,
        tokenized.is_field
    from {{ ref('int_skill_aliases__tokenized') }} as tokenized
),

-- the n-gram lengths worth building at a token: only those of aliases that start with it
alias_shapes as (
    select distinct
        first_token,
        token_count
    from aliases
),

-- where a "Company description" section starts (StackOverflow-style ads end with one): it
-- describes the employer, its products and industry, not the job (a cheap strpos first)
company_sections as (
    select
        job_id,
        load_id,
        posting_text,
        nullif(strpos(posting_text, 'Company description'), 0) as company_offset
    from postings
),

-- materialized: each posting is tokenised once, not once per reference; the company section
-- runs from its header to a later "Job description" header or the end, in token positions
token_arrays as materialized (
    select
        company_sections.job_id,
        company_sections.load_id,
        array(
            select token_matches.token_match[1]
            from
                regexp_matches(company_sections.posting_text, {{ skill_token_pattern() }}, 'g')
                with ordinality as token_matches (token_match, token_position)
            order by token_matches.token_position
        ) as tokens,
        {{ skill_token_count('left(company_sections.posting_text, company_sections.company_offset - 1)') }}
        + 1 as company_section_start,
        {{ skill_token_count(
            "left(company_sections.posting_text, company_sections.company_offset - 1 + nullif(strpos("
            ~ "substr(company_sections.posting_text, company_sections.company_offset), 'Job description'), 0) - 1)"
        ) }} as company_section_end
    from company_sections
),

-- only positions whose token can start an alias (a hash join), each yielding the n-grams of the
-- lengths aliases starting there have; arrays stay inside the lateral so no sort carries them.
-- Row estimates of set-returning functions are guesses, so the plan is pinned: CTEs materialized,
-- hash joins instead of sorts (see pre_hook).
candidates as materialized (
    select
        token_arrays.job_id,
        token_arrays.load_id,
        ngrams.start_position,
        ngrams.start_position + ngrams.token_count - 1 as end_position,
        ngrams.surface_text,
        token_arrays.company_section_start,
        token_arrays.company_section_end
    from token_arrays
    cross join lateral (
        select
            start_tokens.token_position as start_position,
            alias_shapes.token_count,
            array_to_string(
                token_arrays.tokens[
                    start_tokens.token_position:start_tokens.token_position + alias_shapes.token_count - 1
                ],
                ' '
            ) as surface_text
        from unnest(token_arrays.tokens) with ordinality as start_tokens (token_text, token_position)
        inner join alias_shapes on lower(start_tokens.token_text) = alias_shapes.first_token
        where start_tokens.token_position + alias_shapes.token_count - 1 <= cardinality(token_arrays.tokens)
    ) as ngrams
),

matches as (
    select
        candidates.job_id,
        candidates.load_id,
        candidates.start_position,
        candidates.end_position,
        candidates.surface_text,
        candidates.company_section_start,
        candidates.company_section_end,
        aliases.skill_id,
        aliases.category,
        aliases.match_rule,
        aliases.case_form,
        aliases.is_field
    from candidates
    inner join aliases on lower(candidates.surface_text) = aliases.alias_key
),

-- what surrounds each match of an ambiguous alias, a field, or a broad-field or human-language
-- skill (the rules below): neighbour tokens, nearby words (for ambiguous aliases), the sentence
-- of a field and whether a match stands in a tag list. The 40 tokens on each side are sliced
-- once per match (the limit keeps the slice from being inlined into every use): finding the n-th
-- element of a text array walks it, so one slice costs less than a subscript per neighbour.
surroundings as (
    select
        matches.job_id,
        matches.start_position,
        windows.window_tokens[windows.match_start - 1] as previous_token,
        lower(windows.window_tokens[windows.match_start - 2]) as second_previous_token,
        windows.window_tokens[windows.match_end + 1] as next_token,
        lower(windows.window_tokens[windows.match_end + 2]) as second_next_token,
        case when matches.match_rule = 'needs_context' then
            string_to_array(lower(array_to_string(
                windows.window_tokens[greatest(1, windows.match_start - 8):windows.match_end + 8], ' '
            )), ' ')
        end as nearby_tokens,
        -- the words of the sentence around a field within 40 tokens: the left part after its
        -- last sentence break (a greedy match), the right part before its first; only needed
        -- (and built) when the company speaks nearby
        case when matches.is_field and windows.window_tokens && array['we', 'We', 'WE', 'our', 'Our', 'OUR', 'us', 'Us'] then
            regexp_replace(
                ' ' || lower(array_to_string(
                    windows.window_tokens[1:windows.match_start - 1], ' '
                )) || ' ',
                '^.*\s{{ skill_sentence_break() }}\s', ' '
            )
            || regexp_replace(
                ' ' || lower(array_to_string(
                    windows.window_tokens[windows.match_end + 1:], ' '
                )) || ' ',
                '\s{{ skill_sentence_break() }}\s.*$', ' '
            )
        end as sentence_text,
        -- a StackOverflow-style tag list: the rest of a line after a "Technologies" header
        case when matches.match_rule <> 'any' and windows.window_tokens && array['Technologies'] then
            coalesce(substring(
                ' ' || array_to_string(windows.window_tokens[1:windows.match_start - 1], ' ') || ' '
                from '\sTechnologies (?:\n )?([^\n]*)$'
            ) !~ '\mdescription\M', false)
        else false end as is_in_tag_list
    from matches
    inner join token_arrays on matches.job_id = token_arrays.job_id
    cross join lateral (
        select
            token_arrays.tokens[
                greatest(1, matches.start_position - 40):matches.end_position + 40
            ] as window_tokens,
            matches.start_position - greatest(1, matches.start_position - 40) + 1 as match_start,
            matches.end_position - greatest(1, matches.start_position - 40) + 1 as match_end
        limit 1
    ) as windows
    where
        matches.match_rule <> 'any'
        or matches.is_field
        or matches.category in ({{ broad_categories }}, 'natural_language')
),

-- an unambiguous skill within 8 tokens supports an ambiguous one ("Python, R and SQL")
supported as (
    select distinct
        ambiguous.job_id,
        ambiguous.start_position
    from matches as ambiguous
    inner join matches as clear_match
        on
            ambiguous.job_id = clear_match.job_id
            and clear_match.match_rule = 'any'
            and abs(clear_match.start_position - ambiguous.start_position) <= 8
    where ambiguous.match_rule = 'needs_context'
),

-- ambiguous aliases (R, C, Go, REST, Spring...) count only in their exact casing, never as part
-- of "R&D" or "C-suite", and for needs_context only near programming words or another skill
judged as (
    select
        matches.job_id,
        matches.load_id,
        matches.start_position,
        matches.end_position,
        matches.surface_text,
        matches.skill_id,
        case
            -- the employer's own description (StackOverflow ads' "Company description" section)
            when matches.start_position between matches.company_section_start
                and coalesce(matches.company_section_end, matches.start_position)
                then false
            -- a field in the company's voice that asks nothing of the candidate: "our teams build
            -- big data and mobile solutions", "we are a cloud company" (not "you know our stack")
            when
                matches.is_field
                and surroundings.sentence_text ~ '\m(we|our|us|ours)\M'
                and surroundings.sentence_text !~ {{ skill_requirement_words() }}
                then false
            -- a field that names a role or a team ("DevOps Engineers", "UX designers", "Data
            -- Engineering team", "iOS Developer"); ways of working stay ("Agile team", "Scrum Master")
            when
                matches.category in ({{ broad_categories }})
                and matches.skill_id not in ('agile', 'scrum', 'kanban', 'lean', 'safe')
                and lower(coalesce(surroundings.next_token, '')) in (
                    'engineer', 'engineers', 'team', 'teams', 'master', 'masters', 'designer', 'designers',
                    'developer', 'developers', 'expert', 'experts', 'specialist', 'specialists', 'administrator',
                    'administrators', 'functions', 'department', 'departments', 'professionals', 'scientist',
                    'scientists', 'lead', 'leads', 'manager', 'managers', 'architect', 'architects', 'analyst',
                    'analysts', 'consultant', 'consultants'
                )
                then false
            -- an organisational unit named after a field ("Department of Physics")
            when
                matches.category in ({{ broad_categories }})
                and lower(coalesce(surroundings.previous_token, '')) = 'of'
                and coalesce(surroundings.second_previous_token, '') in (
                    'department', 'departments', 'institute', 'faculty', 'school', 'centre', 'center',
                    'division', 'lab', 'laboratory'
                )
                then false
            -- the company's own industry ("a fintech company", "biotech partners"), not the
            -- "Company size" line that follows an industry list
            when
                matches.category in ('industry_domain', 'field_of_study')
                and lower(coalesce(surroundings.next_token, '')) in (
                    'company', 'companies', 'startup', 'startups', 'firm', 'firms', 'sector', 'sectors',
                    'partner', 'partners', 'cluster'
                )
                and not (
                    lower(surroundings.next_token) = 'company'
                    and coalesce(surroundings.second_next_token, '') = 'size'
                )
                then false
            -- a human language as the language of the application, or of offered classes
            when
                matches.category = 'natural_language'
                and (
                    lower(coalesce(surroundings.next_token, '')) in ('classes', 'class', 'courses', 'course', 'lessons')
                    or (
                        lower(coalesce(surroundings.previous_token, '')) = 'in'
                        and coalesce(surroundings.second_previous_token, '') in (
                            'submitted', 'attached', 'be', 'cv', 'application', 'applications', 'materials',
                            'letter', 'send', 'sent', 'documents', 'uploaded', 'enclosed'
                        )
                    )
                )
                then false
            when matches.match_rule = 'any' then true
            -- tags are written in lower case ("spring java go"): the list is their context
            when surroundings.is_in_tag_list then true
            when matches.surface_text <> coalesce(matches.case_form, '') then false
            when coalesce(surroundings.previous_token, '') in ('&', '-') then false
            when coalesce(surroundings.next_token, '') in ('&', '-') then false
            -- a nationality word is a language only where languages are spoken of ("fluent in
            -- German and English"), not in "a German company"
            when matches.category = 'natural_language' and matches.match_rule = 'needs_context'
                then surroundings.nearby_tokens && array[
                    'fluent', 'fluency', 'fluently', 'speak', 'speaks', 'speaking', 'spoken', 'written',
                    'verbal', 'language', 'languages', 'native', 'proficiency', 'proficient', 'command', 'english'
                ]
            when matches.match_rule = 'case_sensitive' then true
            when surroundings.nearby_tokens && array[
                'programming', 'language', 'languages', 'developer', 'developers', 'coding', 'code',
                'scripting', 'statistical', 'statistics', 'software', 'engineer', 'engineering'
            ] then true
            else supported.job_id is not null
        end as is_accepted
    from matches
    left join surroundings
        on
            matches.job_id = surroundings.job_id
            and matches.start_position = surroundings.start_position
    left join supported
        on
            matches.job_id = supported.job_id
            and matches.start_position = supported.start_position
),

accepted as (
    select
        job_id,
        load_id,
        start_position,
        end_position,
        surface_text,
        skill_id
    from judged
    where is_accepted
),

-- "sql server" is SQL Server, not also SQL: in order of start (longest first), a match is inside
-- a longer one exactly when an earlier match reaches at least as far (a window, not a self-join)
reach as (
    select
        job_id,
        load_id,
        start_position,
        end_position,
        surface_text,
        skill_id,
        max(end_position) over (
            partition by job_id
            order by start_position asc, end_position desc
            rows between unbounded preceding and 1 preceding
        ) as earlier_reach
    from accepted
),

outermost as (
    select
        job_id,
        load_id,
        start_position,
        surface_text,
        skill_id
    from reach
    where earlier_reach is null or earlier_reach < end_position
),

taxonomy as (
    select max(taxonomy_version) as taxonomy_version
    from {{ ref('skill_taxonomy_version') }}
),

final as (
    select
        outermost.job_id,
        outermost.skill_id,
        max(outermost.load_id) as load_id,
        count(*) as mention_count,
        min(outermost.start_position) as first_position,
        (array_agg(outermost.surface_text order by outermost.start_position))[1] as first_surface_text,
        string_agg(distinct outermost.surface_text, ' | ' order by outermost.surface_text) as surface_texts,
        max(taxonomy.taxonomy_version) as taxonomy_version
    from outermost
    cross join taxonomy
    group by outermost.job_id, outermost.skill_id
)
{% endmacro %}

{#- A fingerprint of the extraction rules: the md5 of the SQL skill_mention_ctes renders, without
    the database name its relations carry (a warehouse restored or copied under another name keeps
    its fingerprint). The mentions model re-extracts every posting when it differs from the one the
    extracted mentions were made with (int_skill_aliases__applied), so a changed rule reaches old
    postings too. -#}
{% macro skill_extractor_fingerprint() -%}
    {%- set database = adapter.quote(target.database) ~ '.' -%}
    {{ return(local_md5(skill_mention_ctes() | replace(database, ''))) }}
{%- endmacro %}
