/**
 * A deployment setting (a `-c` value, or the DOCUTHINKER_* variable a
 * pipeline passes it with) that the platform cannot be built with. Its message
 * names the setting and the bad entry and is all an operator needs, so the
 * preflight (bin/cdk-stage.ts) and the CDK app (bin/app.ts) print it as one
 * line, without a stack; any other error is a bug and keeps its stack.
 */
export class SettingsError extends Error {
  override readonly name: string = 'SettingsError';

  constructor(
    /** The CDK context key at fault, e.g. `corsOrigins`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}
