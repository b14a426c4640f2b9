// `danube-connect token`: mints a JWT for a broker that checks tokens with a shared secret (the
// embedded broker started with --jwt-secret, or a real one with auth.jwt.secret_key), as
// `danube-admin security tokens create` does. For local use: whoever has the secret can mint any token.
import { parseArgs } from 'node:util';
import { signBrokerToken } from '../broker/auth.js';
import { parseTime } from './dlq/dlq-args.js';

const HELP = `usage: danube-connect token --secret S [options]

Prints an HS256 JWT that a broker started with --jwt-secret S accepts (a real Danube broker
with auth.jwt.secret_key S too). Use it as DANUBE_TOKEN (clients, the relay, npm start) or
DANUBE_ADMIN_TOKEN (admin commands):

  export DANUBE_TOKEN=$(npx danube-connect token --secret S --sub relay)

  --secret S            the broker's secret (default: $DANUBE_JWT_SECRET)
  --sub NAME            the principal (default "admin": name it in --super-admin, or bind it
                        to roles with the admin API)
  --type T              principal type: user or service_account (default user)
  --ttl DURATION        how long it is valid: 30m, 12h, 7d (default 12h)
  --issuer ISS          the "iss" claim (default danube)
`;

export async function runToken(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      secret: { type: 'string' },
      sub: { type: 'string', default: 'admin' },
      type: { type: 'string', default: 'user' },
      ttl: { type: 'string', default: '12h' },
      issuer: { type: 'string', default: 'danube' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const secret = values.secret ?? process.env.DANUBE_JWT_SECRET;
  if (!secret) {
    process.stderr.write(`danube-connect token: --secret is required (or set DANUBE_JWT_SECRET)\n\n${HELP}`);
    return 2;
  }
  if (values.type !== 'user' && values.type !== 'service_account') throw new Error(`--type must be user or service_account, got "${values.type}"`);
  if (!/^\d+[smhd]$/.test(values.ttl)) throw new Error(`--ttl must look like 30m, 12h or 7d, got "${values.ttl}"`);
  const now = Date.now();
  const ttlSeconds = Math.round((now - parseTime('ttl', values.ttl, now)) / 1000);
  const token = signBrokerToken(secret, { sub: values.sub, iss: values.issuer, principalType: values.type, ttlSeconds });
  process.stdout.write(`${token}\n`);
  return 0;
}
