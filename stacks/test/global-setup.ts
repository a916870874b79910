// The synth tests read the dashboard's OpenNext build (packages/web/.open-next): make it, or find
// it up to date, once before any of them runs. `npm test` builds it in its own step first.
// @ts-expect-error: a plain .mjs script without type declarations
import { buildAws } from "../../scripts/build-aws.mjs";

export default function setup() {
  buildAws();
}
