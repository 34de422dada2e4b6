import type { Rule } from '../rule.js';
import { insecureCookie } from './cookies.js';
import { permissiveCors } from './cors.js';
import { debugEnabled } from './debug.js';
import { insecureDeserialization } from './deserialization.js';
import { jwtMisuse } from './jwt.js';
import { insecureRandom } from './randomness.js';
import { weakTlsVersion, tlsVerificationDisabled } from './tls.js';
import { insecureTransport } from './transport.js';
import { weakHashRule, weakPasswordHash, weakCipher, weakKeySize } from './weak-crypto.js';
import { xxe } from './xxe.js';

export const CONFIGURATION_RULES: readonly Rule[] = [
  insecureDeserialization,
  xxe,
  weakHashRule,
  weakPasswordHash,
  weakCipher,
  weakKeySize,
  weakTlsVersion,
  insecureRandom,
  tlsVerificationDisabled,
  insecureTransport,
  jwtMisuse,
  permissiveCors,
  insecureCookie,
  debugEnabled,
];
