import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { findBerkaTransactionsFile, importBerka } from "../scripts/importers/berka";
import type { SourceEvent } from "../scripts/importers/source-event";

/** The sample data folder: SAMPLE_DATA_DIR, else ../shared/data from the working directory. */
export function sampleDataDirectory(): string {
  return resolve(process.env.SAMPLE_DATA_DIR ?? "../shared/data");
}

/** Reads the Berka transactions of the sample data folder as EventBridge events, as `npm start` does. */
export function loadBerkaEvents(): { folder: string; file: string; events: SourceEvent[] } {
  const folder = join(sampleDataDirectory(), "berka");
  const file = existsSync(folder) ? findBerkaTransactionsFile(folder) : undefined;
  if (!file) {
    throw new Error(
      `No Berka transactions (trans_test.csv) in ${folder}; set SAMPLE_DATA_DIR to the folder that contains berka/`,
    );
  }
  return { folder, file, events: importBerka(folder) };
}
