import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createSecretsClient,
  DEFAULT_SECRETS_TIMEOUT_MS,
  SECRET_PREFIX,
  secretPrefixProblem,
  secretsRequestTimeouts,
  silenceSdkNodeNotice,
} from '@docuthinker/config';
import { describeAwsFailure } from './aws-failure';
import { parseEnvFile } from './env-file';
import {
  checkPasses,
  checkSecrets,
  listSecretIds,
  putSecrets,
  type CommandContext,
} from './secrets-commands';

const USAGE = `Usage: nx run tools:secrets -- <command> [options]

Commands:
  put    Create or update docuthinker/* secrets from a .env-style file (or stdin)
  check  Show which secrets exist; exit 1 if a required one is missing, or
         one holds no string value or one its service refuses (INVALID)
  list   List the secret names under the prefix

Options:
  --file, -f PATH   .env input for put (KEY=VALUE; keys are variable names
                    such as REDIS_URL or secret names such as redis or
                    service-token); stdin if absent
  --prefix P        secret name prefix (default ${SECRET_PREFIX}; letters, digits
                    and / _ + = . @ -, as in a Secrets Manager name)
  --dry-run         show what put would do; write nothing
  --timeout-ms N    how long one call to Secrets Manager may take before it is
                    given up (default ${DEFAULT_SECRETS_TIMEOUT_MS}; tried twice)
  --help, -h

put checks every entry before it writes anything, and refuses the whole input
when a key is unknown or given twice (REDIS_URL and redis count as one), or a
value would be refused by the service that reads it: blank or padded with
whitespace, a JSON key/value object (each secret is one plain string), or
failing the service's rule (a JWT secret or service token shorter than the
services' minimum, a MONGODB_URI that is not a mongodb:// or mongodb+srv://
URL naming a host, ...). Errors name the key and the rule, never the value.

The input is read as docker-compose reads docker/.env, so one file gives both
the same values; its compose settings that are no secrets (IMAGE_TAG,
NEO4J_PASSWORD, ...) are passed over, each with a line. Blank lines and
lines starting with # are skipped, and an optional "export " prefix is
dropped. In an unquoted value a space followed
by # starts a comment (KEY=abc # team key is abc; KEY=abc#1 keeps its #), and
trailing whitespace is dropped. In '...' or "..." the value is what lies
between the quotes, # included, and a # comment may follow the closing quote.
Values are literal: a $ outside single quotes is refused (compose would
substitute $NAME there), so write such a value in '...'. A backslash inside
"..." (compose expands escapes there) or before a closing quote is refused:
use '...'.

check reads each secret it finds (never printing it): a secret that exists
with no value, or with a binary one, is reported EMPTY, and one whose value
the service reading it would refuse (put's rules above) INVALID, with the
rule; either fails the check, since the services cannot start on it. put
gives such a secret its value as a new version.
Region and credentials come from the usual AWS environment (AWS_REGION,
AWS_PROFILE, ...); AWS_ENDPOINT_URL points it at an emulator. Values are never printed.`;

/** The longest delay a Node timer takes (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A command as a usage error shows it: a lower-case word as typed, anything
 * else not at all (it may be a value typed in the wrong place).
 */
function shownCommand(command: string): string {
  return /^[a-z]{1,20}$/.test(command) ? `"${command}"` : '(not shown: it may be a value)';
}

/** Exit status 2, as every usage error of the command. */
function usageError(message: string): number {
  process.stderr.write(`secrets: ${message}\nRun with --help for the usage.\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  // The SDK's notice would come before every command's output.
  silenceSdkNodeNotice();
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        file: { type: 'string', short: 'f' },
        prefix: { type: 'string', default: SECRET_PREFIX },
        'dry-run': { type: 'boolean', default: false },
        'timeout-ms': { type: 'string', default: String(DEFAULT_SECRETS_TIMEOUT_MS) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    // An unknown option or one without its value: a usage error, as the others.
    return usageError((error as Error).message);
  }
  const { positionals, values } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  // Found in an exploratory test: `put prod.env` (no --file) read stdin
  // instead, wrote nothing and said "0 secrets, 0 changed".
  // Not echoed: an argument here may be a value typed in the wrong place.
  if (extra.length > 0) {
    const hint = command === 'put' ? '; put reads a file given with --file PATH' : '';
    return usageError(
      `${shownCommand(command)} takes no arguments (${extra.length} given, not shown: it may be a value)${hint}`,
    );
  }
  // Decimal digits only (Number() also takes 0x10 and 1e3), up to what a
  // Node timer holds (larger ones fire after 1 ms).
  const timeoutMs = /^\d{1,10}$/.test(values['timeout-ms']) ? Number(values['timeout-ms']) : NaN;
  if (!(timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS)) {
    return usageError(
      `--timeout-ms must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`,
    );
  }
  const prefixProblem = secretPrefixProblem(values.prefix);
  if (prefixProblem) return usageError(`--prefix ${prefixProblem}`);
  const context: CommandContext = {
    // Two attempts, each bounded: an endpoint that never answers fails the
    // command in about twice the timeout, naming the timeout.
    client: await createSecretsClient({
      maxAttempts: 2,
      requestHandler: secretsRequestTimeouts(timeoutMs),
    }),
    prefix: values.prefix,
    dryRun: values['dry-run'],
    print: (line) => process.stdout.write(`${line}\n`),
  };
  try {
    switch (command) {
      case 'put': {
        if (values.file === undefined && process.stdin.isTTY) {
          process.stderr.write(
            'secrets: reading KEY=VALUE lines until Ctrl-D (or give --file PATH)\n',
          );
        }
        const text = readFileSync(values.file ?? 0, 'utf8');
        const outcomes = await putSecrets(context, parseEnvFile(text));
        const changed = outcomes.filter((o) => o.action !== 'unchanged').length;
        context.print(
          `${outcomes.length} secrets, ${changed} ${context.dryRun ? 'to change' : 'changed'}`,
        );
        return 0;
      }
      case 'check': {
        return checkPasses(await checkSecrets(context)) ? 0 : 1;
      }
      case 'list':
        for (const name of await listSecretIds(context)) context.print(name);
        return 0;
      default:
        process.stderr.write(`secrets: unknown command ${shownCommand(command)}\n${USAGE}\n`);
        return 2;
    }
  } finally {
    context.client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    // SDK errors carry no secret values; input errors name keys only, one
    // line per problem.
    for (const line of describeAwsFailure(error).split('\n')) {
      process.stderr.write(`secrets: ${line}\n`);
    }
    process.exit(1);
  },
);
