-- erased_participants: participants whose personal data was erased
-- (PD-ERASE by the national office, PD-RETENTION by the retention job).
-- Their key is destroyed: their row in participants holds no personal
-- data (its text columns are empty) and is never filled again. erased_on
-- is empty when the projector found the key gone before it met the
-- ParticipantErased event (a replay after the erasure). No personal data
-- here: the pseudonymous ID and why.
CREATE TABLE erased_participants (
    org        TEXT NOT NULL,
    id         TEXT NOT NULL,    -- pseudonymous participant ID
    erased_on  TEXT NOT NULL,    -- day of the erasure ('' until the event is met)
    retention  INTEGER NOT NULL, -- 1: erased by the retention job (PD-RETENTION)
    reason     TEXT NOT NULL,
    sequence   INTEGER NOT NULL, -- the ParticipantErased event (or the event whose key was gone)
    PRIMARY KEY (org, id)
) WITHOUT ROWID;
