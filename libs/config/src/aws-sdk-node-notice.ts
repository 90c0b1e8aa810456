/**
 * The AWS SDK's switch for its nine-line notice that its releases from 2027
 * need Node 22 (emitted once per process on Node 20, when the first client is
 * built). The workspace pins its SDK versions, and the notice would bury the
 * one line a command-line tool prints, or break a service's JSON log lines
 * (startServiceContext switches it off too). The images and pipelines run
 * Node 24 (.nvmrc); only a development machine on Node 20 gets the notice.
 */
const NODE_VERSION_NOTICE_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** `environment` with the notice switched off, unless it says otherwise (for a child process). */
export function withoutSdkNodeNotice(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...environment,
    [NODE_VERSION_NOTICE_SWITCH]: environment[NODE_VERSION_NOTICE_SWITCH] ?? 'true',
  };
}

/** Switches the notice off for this process's SDK clients, unless its environment says otherwise. */
export function silenceSdkNodeNotice(): void {
  process.env[NODE_VERSION_NOTICE_SWITCH] ??= 'true';
}
