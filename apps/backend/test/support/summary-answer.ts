/** A gateway's answer to a summary task, for the gateway-client specs' fake gateways. */
export const SUMMARY_ANSWER = {
  task: 'summary',
  output: 'A summary.',
  provider: 'fake',
  model: 'fake-1',
  degraded: false,
};
