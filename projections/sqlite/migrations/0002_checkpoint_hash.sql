-- checkpoint.hash: the hash of the event at the checkpoint, so that a
-- projector can tell that the stream it follows is the one these read
-- models were built from (and refuse to mix two streams).
ALTER TABLE checkpoint ADD COLUMN hash TEXT NOT NULL DEFAULT '';
