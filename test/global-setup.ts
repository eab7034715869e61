import { rmSync } from "node:fs";
import { join } from "node:path";
import { installConsumer, ROOT } from "./helpers/consumer";

/**
 * Installs the packed package into a consumer project once per run, for the suites that start
 * provider processes. Each run gets its own directory, so runs started side by side never
 * remove each other's files.
 */
export default function setup(): () => void {
  const consumerDir = join(ROOT, ".tmp", `consumer-${process.pid}`);
  installConsumer(consumerDir);
  process.env.EGRET_CONSUMER_DIR = consumerDir;
  return () => rmSync(consumerDir, { recursive: true, force: true });
}
