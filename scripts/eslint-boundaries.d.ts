import type { ESLint } from 'eslint';

/** Types of scripts/eslint-boundaries.js for TypeScript importers (the boundary test). */
export declare const boundariesPlugin: ESLint.Plugin;
/** The composition root and the `sim` command: the only production files that may import sim/. */
export declare const SIM_IMPORTERS: readonly string[];
/** True for tests and test support, which cross folders on purpose. */
export declare function isTestCode(file: string): boolean;
