-- Placeholder on branch i16-read: migration 0010 is reserved for another
-- branch of issue 16's round; the coordinator drops this file at the merge.
SELECT 1;
