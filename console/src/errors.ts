/** The API's error codes (extensions.code) in words a person can act on. */
const SENTENCES: Record<string, string> = {
  UNAUTHENTICATED: 'You are not signed in, or your token is no longer valid. Sign in again with a valid API token.',
  FORBIDDEN: 'Your token may not do this. Ask an administrator for the role or scope it needs.',
  NOT_FOUND: 'This no longer exists: it may have been removed. Go back and reload the list.',
  BAD_USER_INPUT: 'The server could not accept what was entered.',
  CONFLICT: 'Someone changed this meanwhile, or the step was already taken. Reload to see where it stands.',
  SAFEGUARD_PAUSED: 'A sync of this profile is paused by the safeguard and awaits review. Review it before syncing again.',
  INTERNAL: 'Something went wrong on the server. Try again; if it keeps failing, tell your administrator.',
  NETWORK: 'The server cannot be reached. Check that the API is running and your connection works.',
  LIVE_REFUSED: 'Live updates were refused for this token: the page will not update by itself.',
  RATE_LIMITED: 'Too many requests at once. Wait a moment and try again.',
};

export function describeError(code: string, message: string, extensions?: Record<string, unknown>): string {
  const sentence = SENTENCES[code] ?? SENTENCES.INTERNAL!;
  // Our own messages (bad input, conflicts) say what is wrong: show them after the sentence.
  const detail = code === 'BAD_USER_INPUT' || code === 'CONFLICT' || code === 'FORBIDDEN' ? message : '';
  const retry = typeof extensions?.retryAfterSeconds === 'number' ? ` Try again in ${extensions.retryAfterSeconds} s.` : '';
  return detail && detail !== sentence ? `${sentence} ${detail}${retry}` : `${sentence}${retry}`;
}
