// Takes $seq, $state ('SENT' or 'FAILED'), $attempts, $error (null when sent), $now. Records how
// the notification about one event ended. Returns seq; no row when the event is gone.
MATCH (e:Event {seq: $seq})
SET e.notifyState = $state, e.notifyAttempts = $attempts, e.notifyError = $error, e.notifiedAt = $now
RETURN e.seq AS seq
