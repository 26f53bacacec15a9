import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * Folder of the real sample data (Berka CSV files, Plaid sandbox users), outside the repository.
 * Set SAMPLE_DATA_DIR to point elsewhere; tests that need it are skipped, with that reason in their
 * name, when the folder is absent.
 */
export const SAMPLE_DATA_DIR = resolve(process.env.SAMPLE_DATA_DIR ?? "../shared/data");

export const sampleDataAvailable = existsSync(join(SAMPLE_DATA_DIR, "berka", "trans_test.csv"));

export function samplePath(...parts: string[]): string {
  return join(SAMPLE_DATA_DIR, ...parts);
}

/** Suffix for test names that need the sample data, so a skip explains itself. */
export const NEEDS_SAMPLE_DATA = sampleDataAvailable
  ? ""
  : ` (skipped: no sample data at ${SAMPLE_DATA_DIR})`;
