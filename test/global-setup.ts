import { installConsumer } from "./helpers/consumer";

/** Installs the packed package into a consumer project once, for the suites that start provider processes. */
export default function setup(): void {
  installConsumer();
}
