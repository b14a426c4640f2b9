// Checks of a remote function that change nothing: the HTTP host resolves; the Lambda function
// exists and the relay may invoke it (a DryRun invocation, which runs no code).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsErrorKind } from '../../core/aws-errors.js';
import { InvokeError } from '../errors.js';

/** The URL's host resolves (an IP address or a name the resolver knows). */
export async function checkHttpTarget(url: string): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  try {
    await lookup(host);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // ENOTFOUND: no such name. Anything else (a resolver timing out) says nothing about the config.
    if (code === 'ENOTFOUND') throw new InvokeError(`cannot resolve ${host} (from function.url ${url})`, 'config', 'fatal', { cause: err });
    throw err;
  }
}

/**
 * A `DryRun` invocation: Lambda checks that the function exists and that the caller may invoke
 * it, and runs nothing. Not sent to a local emulator (which may not know DryRun and run the
 * function instead).
 */
export async function checkLambdaTarget(client: LambdaClient, name: string, qualifier: string | undefined, signal?: AbortSignal): Promise<void> {
  try {
    await client.send(
      new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun', ...(qualifier ? { Qualifier: qualifier } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
  } catch (err) {
    if (awsErrorKind(err) !== 'fatal') throw err;
    const e = err as { name?: string; message?: string };
    throw new InvokeError(`cannot invoke ${name}: ${e.name}: ${e.message}`, 'config', 'fatal', { cause: err });
  }
}
