/** The token buckets are shared with the registry (src/util/rateLimiter.ts). */
export { createRateLimiter, type RateLimiter } from "../../util/rateLimiter.ts";
