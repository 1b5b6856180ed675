/**
 * CPython's test certificates (Lib/test/certdata), vendored in
 * test/vectors/certdata so a clone needs no particular Python install.
 * Every test that uses them takes the path from here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CERTDATA = fileURLToPath(new URL('../../../test/vectors/certdata', import.meta.url));
export const dataFile = (...parts: string[]): string => join(CERTDATA, ...parts);

/** Skip reason when the vendored certificates are missing (they ship with the repository). */
export const certdataSkip: string | false = existsSync(dataFile('keycert3.pem')) ? false : `CPython test certificates not found at ${CERTDATA}`;
