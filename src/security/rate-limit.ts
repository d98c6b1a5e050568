/**
 * Per-token rate limits: an in-process token bucket per API token (per client address for
 * requests without a valid token). Each operation takes one token from its bucket; a bucket
 * refills at `perMinute` and holds at most `burst`. Several API instances each keep their own
 * buckets, so the effective limit is per instance (docs/security.md).
 */
export interface BucketSettings {
  perMinute: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: BucketSettings,
    private readonly now: () => number = Date.now,
    /** Idle buckets are full again; past this many keys they are swept so the map stays bounded. */
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string): Admission {
    if (this.settings.perMinute === 0) return { allowed: true };
    const now = this.now();
    const perMs = this.settings.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.settings.burst, updatedAt: now };
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.remember(key, bucket);
      return { allowed: true };
    }
    this.remember(key, bucket);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  private remember(key: string, bucket: Bucket): void {
    this.buckets.set(key, bucket);
    if (this.buckets.size <= this.maxKeys) return;
    const fullAfterMs = (this.settings.burst / this.settings.perMinute) * 60_000;
    const now = this.now();
    for (const [k, b] of this.buckets) if (now - b.updatedAt >= fullAfterMs) this.buckets.delete(k);
  }
}

/**
 * The buckets every route that reaches Neo4j takes from: one per API token, one per client address
 * for requests without a valid token. GraphQL (HTTP and WebSocket) and the CSV exports share them,
 * so a token's exports and operations count against one budget.
 */
export class ViewerRateLimits {
  private readonly perToken: TokenBucketLimiter;
  private readonly perAddress: TokenBucketLimiter;

  constructor(settings: { perMinute: number; burst: number; anonymousPerMinute: number; anonymousBurst: number }) {
    this.perToken = new TokenBucketLimiter({ perMinute: settings.perMinute, burst: settings.burst });
    this.perAddress = new TokenBucketLimiter({ perMinute: settings.anonymousPerMinute, burst: settings.anonymousBurst });
  }

  /** Takes one from the viewer's bucket (the address's without a viewer). */
  take(viewer: { tokenId?: string | null } | null, address: string | undefined): Admission {
    return viewer !== null ? this.perToken.take(`token:${viewer.tokenId ?? 'bootstrap-admin'}`) : this.perAddress.take(`ip:${address ?? 'unknown'}`);
  }
}
