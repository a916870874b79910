export { generateApiKey, hashApiKey } from "../../user/credentials.ts";
