import { SignJWT, jwtVerify } from "jose";

const idPattern = /^[A-Za-z0-9_.-]{1,64}$/;

/** Socket.IO middleware: a connection without a valid HS256 token from the configured issuer is refused. */
export function requireToken(settings) {
  return async (socket, next) => {
    const token = socket.handshake.auth?.token ?? socket.handshake.query?.access_token;
    if (typeof token !== "string") {
      return next(new Error("unauthorized: no token"));
    }
    try {
      const { payload } = await jwtVerify(token, settings.signingKey, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ["HS256"],
      });
      if (typeof payload.sub !== "string" || !idPattern.test(payload.sub)) {
        return next(new Error("unauthorized: bad subject"));
      }
      socket.data.userId = payload.sub;
      socket.data.displayName = typeof payload.name === "string" ? payload.name : payload.sub;
      next();
    } catch (error) {
      next(new Error(`unauthorized: ${error.code ?? error.message}`));
    }
  };
}

/** POST /auth/dev-token {userId, displayName} answers {token}, as the gateways' development endpoint does. */
export async function issueDevToken(settings, body) {
  if (typeof body?.userId !== "string" || !idPattern.test(body.userId)) {
    return null;
  }
  const name = typeof body.displayName === "string" && body.displayName.trim() ? body.displayName.trim().slice(0, 64) : body.userId;
  return new SignJWT({ name })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(body.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setNotBefore("0s")
    .setExpirationTime("12h")
    .sign(settings.signingKey);
}
