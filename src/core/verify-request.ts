import { SIGNATURE_HEADER, verifySignature, type SignatureCheck, type SignatureScheme, type VerifySignatureOptions } from './signing.js';
import { STANDARD_WEBHOOK_SECRET_PREFIX, STANDARD_WEBHOOK_SIGNATURE_HEADER, verifyStandardWebhook, type HeaderSource } from './standard-webhooks.js';

/** Which signatures a receiver of the relay's requests accepts. */
export type AcceptedSignatures = SignatureScheme | 'either';

export const ACCEPTED_SIGNATURES: readonly AcceptedSignatures[] = ['either', 'danube', 'standard-webhooks'];

/**
 * Checks a request the relay signed, by whichever accepted scheme it carries: the relay's own
 * `x-danube-signature`, or Standard Webhooks headers (tried only with the `whsec_` secrets, the
 * only form that scheme has). A request carrying both passes when either verifies. Refused with
 * `missing` when it carries no accepted signature at all.
 *
 * @example
 * const check = await verifyRelayRequest(secrets, body, request.headers, { accept: 'either' });
 */
export async function verifyRelayRequest(
  secret: string | readonly string[],
  body: Uint8Array,
  headers: HeaderSource,
  options: VerifySignatureOptions & { accept: AcceptedSignatures },
): Promise<SignatureCheck> {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  const checks: SignatureCheck[] = [];
  if (options.accept !== 'danube' && headers.get(STANDARD_WEBHOOK_SIGNATURE_HEADER) !== null) {
    const keys = secrets.filter((s) => s.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX));
    const check = keys.length ? await verifyStandardWebhook(keys, body, headers, options) : { ok: false as const, reason: 'mismatch' as const };
    if (check.ok) return check;
    checks.push(check);
  }
  if (options.accept !== 'standard-webhooks' && headers.get(SIGNATURE_HEADER) !== null) {
    const check = await verifySignature(secrets, body, headers.get(SIGNATURE_HEADER), options);
    if (check.ok) return check;
    checks.push(check);
  }
  return checks[0] ?? { ok: false, reason: 'missing' };
}
