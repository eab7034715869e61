import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as yaml from "js-yaml";
import { FleetFileError, validateFleet, type FleetEntry } from "@egret/pulumi";

/**
 * YAML schema of fleet files: every scalar stays a string, as written, except an unquoted
 * `null`, `~` or empty value, which is null. js-yaml 4's default schema would turn
 * `name: 2024-01-01` into a Date and `slug: 0x1F` into 31, and its failsafe schema alone would
 * turn `name: null` into the name "null". A key repeated in one mapping is a syntax error.
 */
const FLEET_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({ implicit: [yaml.types.null] });

/**
 * Parses the text of a fleet file (a YAML list of organizations) and validates every entry.
 * Returns the entries, or raises one FleetFileError listing every problem of the file at once,
 * a YAML syntax error included. `source` names the file in the message.
 */
export function parseFleet(text: string, source = "organizations.yaml"): FleetEntry[] {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: source, schema: FLEET_SCHEMA });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FleetFileError(source, [{ field: "", reason: `the file is not valid YAML: ${reason}` }]);
  }

  const { entries, problems } = validateFleet(data);
  if (problems.length > 0) {
    throw new FleetFileError(source, problems);
  }
  return entries;
}

/** Reads and validates a fleet file; see `parseFleet`. */
export function loadFleetFile(path: string): FleetEntry[] {
  return parseFleet(readFileSync(path, "utf8"), basename(path));
}
