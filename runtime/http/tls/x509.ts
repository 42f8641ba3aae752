// @peculiar/x509 (through tsyringe) needs the Reflect metadata API before it loads: every use
// in the kit imports it from here, so the polyfill is always evaluated first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

/** @peculiar/x509, loaded after its polyfill and set to Node's WebCrypto. */
export { x509 };
