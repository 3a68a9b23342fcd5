/** Injected so tests can observe backoff without waiting for it. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackoffOptions {
  readonly maxAttempts: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: Sleep;
  /** Whether a failure may be retried; anything else is rethrown at once. */
  readonly retryable: (err: unknown) => boolean;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog), for the failures the SDK's own
 * retry cannot cover: it retries a request until response headers arrive, not a body stream that
 * breaks afterwards.
 */
export async function withBackoff<T>(
  options: BackoffOptions,
  run: (attempt: number) => Promise<T>,
): Promise<T> {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      if (attempt >= options.maxAttempts || !options.retryable(err)) throw err;
      await sleep(Math.floor(Math.random() * Math.min(cap, base * 2 ** attempt)));
    }
  }
}
