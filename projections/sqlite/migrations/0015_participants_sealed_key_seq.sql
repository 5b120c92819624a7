-- participants.sealed_key_seq: the sequence of the subject key that sealed
-- participants.sealed (pii.Sealed.KeySeq, issue 16). Since issue 16 a
-- participant's keys are messages of the stream GRANTS_PII_SUBJECT_KEYS
-- addressed by sequence, not one key-value entry per participant (which
-- kept one subject per participant in the NATS server's memory); a
-- participant may have several. 0 is a block sealed before issue 16,
-- whose key is the participant's one key in the bucket GRANTS_PII_KEYS.
ALTER TABLE participants ADD COLUMN sealed_key_seq INTEGER NOT NULL DEFAULT 0;
