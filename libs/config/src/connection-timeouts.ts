/**
 * The public load balancer's idle timeout: how long it keeps a connection on
 * which nothing is sent either way. Long enough for the pauses of a streamed
 * AI answer (server-sent events). The CDK app sets it; the services read it.
 */
export const LOAD_BALANCER_IDLE_TIMEOUT_SECONDS = 120;

/**
 * How long the services keep an idle keep-alive connection: longer than the
 * load balancer, so that it always closes first. A service that closed
 * first could see the load balancer send a request on the connection as it
 * closed, and that client get a 502 (AWS's guidance for ALB targets). At 65 s
 * against the load balancer's 120 s, every connection idle in between was such
 * a race.
 */
export const SERVER_KEEP_ALIVE_TIMEOUT_MS = (LOAD_BALANCER_IDLE_TIMEOUT_SECONDS + 5) * 1000;
