// Takes $events [{unitId, ordinal, stamp, type, taskId, runId, profileId, userId, payload}]
// (payload: JSON text; stamp: the write's high-resolution time in ms) and $now. Records the events
// of one write inside its transaction as (:EventPending), without a seq: they touch no shared
// node, so independent writes never wait for each other here. The sequencer
// (src/events/sequencer.ts) gives them their seqs after commit. Returns how many were recorded.
UNWIND $events AS event
CREATE (e:EventPending)
SET e = event, e.at = $now
RETURN count(e) AS recorded
