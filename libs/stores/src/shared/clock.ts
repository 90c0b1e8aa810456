/**
 * The stores read the time through this function instead of `Date.now()` so
 * that expiry, leases and ordering can be tested without sleeping.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
