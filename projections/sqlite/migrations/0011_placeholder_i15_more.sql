-- Placeholder on branch i15-more: migration 0011 is reserved for another
-- branch of this round; the coordinator drops this file at the merge.
SELECT 1;
