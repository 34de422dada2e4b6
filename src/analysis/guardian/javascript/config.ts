import type { Rule } from '../rule.js';
import { insecureCookie } from './cookies.js';
import { permissiveCors } from './cors.js';
import { jwtMisuse } from './jwt.js';
import { prototypePollution } from './prototype-pollution.js';
import { insecureRandomness } from './randomness.js';
import { redos } from './redos.js';
import { disabledTls, insecureTransport } from './transport.js';
import { weakHash, weakPasswordHash, weakCipher } from './weak-crypto.js';

export const CONFIG_RULES: readonly Rule[] = [
  weakHash,
  weakPasswordHash,
  weakCipher,
  insecureRandomness,
  disabledTls,
  insecureTransport,
  jwtMisuse,
  prototypePollution,
  redos,
  permissiveCors,
  insecureCookie,
];
