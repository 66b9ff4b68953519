-- The risk register and the incident list grow to thousands of records (SPEC §6: 5,000 risks,
-- 10,000 incidents), so their searches go through pg_trgm GIN indexes too, as people's and
-- assets' do.
--
-- Every search index writes its entries at once (fastupdate off). With fastupdate on, new
-- entries wait in a pending list that every search reads from end to end until a vacuum merges
-- it: after 10,000 people were added, a search took 12 ms instead of 0.5 ms until then, and
-- how soon a vacuum comes depends on the server's autovacuum settings, not on Bulwark.
ALTER INDEX people_search SET (fastupdate = off);
ALTER INDEX assets_search SET (fastupdate = off);
SELECT gin_clean_pending_list('people_search'::regclass);
SELECT gin_clean_pending_list('assets_search'::regclass);
CREATE INDEX risks_search ON risks USING GIN (search_text gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX incidents_search ON incidents USING GIN (search_text gin_trgm_ops) WITH (fastupdate = off);
