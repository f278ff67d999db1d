// LiveKit's own server SDK as the judge of what we sign and the signer of what we verify:
//   node livekit.mjs verify <token>      prints the claims TokenVerifier accepts (exit 1 if refused)
//   node livekit.mjs webhook <body-file> prints the Authorization a LiveKit server would send with that body
// The API key pair comes from LIVEKIT_API_KEY and LIVEKIT_API_SECRET.
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { AccessToken, TokenVerifier } from "livekit-server-sdk";

const [command, argument] = process.argv.slice(2);
const key = process.env.LIVEKIT_API_KEY;
const secret = process.env.LIVEKIT_API_SECRET;

if (command === "verify") {
  try {
    const claims = await new TokenVerifier(key, secret).verify(argument);
    console.log(JSON.stringify(claims));
  } catch (error) {
    console.error(`refused: ${error.message}`);
    process.exit(1);
  }
} else if (command === "webhook") {
  // What LiveKit's webhook notifier does: a token whose sha256 claim is the body's base64 SHA-256.
  const body = await readFile(argument);
  const token = new AccessToken(key, secret);
  token.sha256 = createHash("sha256").update(body).digest("base64");
  console.log(await token.toJwt());
} else {
  console.error("usage: node livekit.mjs verify <token> | webhook <body-file>");
  process.exit(2);
}
