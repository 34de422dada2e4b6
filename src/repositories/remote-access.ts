import { OutboundAddressError, OutboundAddressGuard } from '../network/address-guard.js';
import { RepositoryRefusedError } from './repository-refused-error.js';

export interface RemoteAccess {
  /** LVLUP_OUTBOUND_ALLOW */
  readonly allow: readonly string[];
  /** the request field the URL came from, if it came from this request */
  readonly field?: string | undefined;
  /** the problem code for a host that cannot be resolved */
  readonly failureCode: 'clone_failed' | 'fetch_failed';
}

/**
 * The `-c` settings for one git clone or fetch of `url`, after checking where it would connect.
 *
 * An https:// host is resolved here and every address must be public (or in LVLUP_OUTBOUND_ALLOW); git
 * is then pinned to the address that was checked with `http.curloptResolve` (git 2.37 and later), so a
 * DNS answer that changes between the check and the connection (rebinding) cannot send it elsewhere.
 * Redirects are not followed (a public server could redirect to a private one), and no protocol other than
 * the URL's own may run (no ssh://, git://, ext:: through submodules or a rewritten remote). file:// URLs
 * make no network connection; registration checked them against LVLUP_REPO_ROOTS.
 */
export async function remoteSettings(url: string, access: RemoteAccess): Promise<string[]> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol === 'file:') return ['protocol.allow=never', 'protocol.file.allow=always'];
  if (parsed?.protocol !== 'https:') {
    throw new RepositoryRefusedError('invalid_clone_url', 'must be an https:// or file:// URL', access.field);
  }
  let target;
  try {
    target = await new OutboundAddressGuard(access.allow).check(parsed.hostname);
  } catch (error) {
    if (!(error instanceof OutboundAddressError)) throw error;
    if (error.reason === 'unresolved') {
      throw new RepositoryRefusedError(access.failureCode, error.message);
    }
    throw new RepositoryRefusedError('address_not_allowed', error.message, access.field);
  }
  const settings = ['protocol.allow=never', 'protocol.https.allow=always', 'http.followRedirects=false'];
  if (!target.literal) {
    const port = parsed.port || '443';
    const address = target.address.includes(':') ? `[${target.address}]` : target.address;
    settings.push(`http.curloptResolve=${target.host}:${port}:${address}`);
  }
  return settings;
}
