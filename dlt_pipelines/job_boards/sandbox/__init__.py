"""The job boards' generated data, shared by their fake APIs (dlt_pipelines/<board>/sandbox.py).

- :mod:`.timeline`, :mod:`.paging`, :mod:`.content` and :mod:`.catalogue`: the JSearch catalogue
  (what ``/search`` serves), deterministic from (seed, posting index);
- :mod:`.boards`: the Remotive, Arbeitnow and Adzuna catalogues and their overlap with JSearch;
- :mod:`.pools` and :mod:`.vocabulary_files`: the vocabularies (``vocabularies/*.yml``) they draw on.
"""
