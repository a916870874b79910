export { generateApiKey, hashApiKey } from "../../credentials.ts";
