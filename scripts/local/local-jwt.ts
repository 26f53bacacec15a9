import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from "jose";
import { CustomerIdSchema } from "../../lambdas/contracts/transaction-posted";

/**
 * Tokens for the local API. In AWS, API Gateway's JWT authorizer verifies the bank's identity
 * provider's tokens; locally, a key pair kept in the data folder signs tokens for any customer id
 * (`npm run dev-token`), and the local server verifies them with the same checks: signature,
 * issuer, audience, expiry and a `sub`.
 */

export const LOCAL_ISSUER = "urn:bank-personalization:local-issuer";
export const LOCAL_AUDIENCE = "bank-personalization-local";
export const DEFAULT_KEY_FILE = ".data/local-jwt-key.json";
const ALGORITHM = "ES256";

export interface LocalJwtKeys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

/** Loads the local signing key, creating it on first use; concurrent first uses keep one key. */
export async function loadLocalKeys(file: string = DEFAULT_KEY_FILE): Promise<LocalJwtKeys> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, "utf8")) as JWK;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const { privateKey } = await generateKeyPair(ALGORITHM, { extractable: true });
    jwk = { ...(await exportJWK(privateKey)), alg: ALGORITHM };
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${JSON.stringify(jwk)}\n`, { flag: "wx", mode: 0o600 });
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code !== "EEXIST") throw writeError;
      jwk = JSON.parse(readFileSync(file, "utf8")) as JWK;
    }
  }
  const { d: _private, ...publicJwk } = jwk;
  return {
    privateKey: (await importJWK(jwk, ALGORITHM)) as CryptoKey,
    publicKey: (await importJWK(publicJwk, ALGORITHM)) as CryptoKey,
  };
}

/** Signs a token whose `sub` is the customer id, valid for `hours`. */
export async function signLocalToken(keys: LocalJwtKeys, customerId: string, hours = 12): Promise<string> {
  const parsed = CustomerIdSchema.safeParse(customerId);
  if (!parsed.success) {
    throw new Error(
      `The customer id "${customerId}" is not valid: ${parsed.error.issues.map((issue) => issue.message).join("; ")}`,
    );
  }
  return new SignJWT({ scope: "personalization/me" })
    .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
    .setSubject(parsed.data)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${hours}h`)
    .sign(keys.privateKey);
}

/** Verifies a token as API Gateway's JWT authorizer would; throws with the reason when it fails. */
export async function verifyLocalToken(keys: LocalJwtKeys, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys.publicKey, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    algorithms: [ALGORITHM],
    requiredClaims: ["sub", "exp"],
  });
  return payload;
}
