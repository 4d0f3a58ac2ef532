// A real OpenID Connect provider on loopback for the single sign-on tests and the demo:
// the certified `oidc-provider` package with its development login pages. Configured by
// environment: OIDC_PORT (0: any free port), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URI, OIDC_ACCOUNTS (JSON: {"login": {"email": ..., "name": ...}}),
// OIDC_GRANT_TYPES (comma-separated, default authorization_code; add refresh_token for a
// client that keeps a refresh token) and OIDC_ACCESS_TTL (seconds an access token lives).
// Prints one line of JSON, {"issuer": ...}, once it listens; stops on SIGTERM or when its
// standard input closes (the process that started it died).
import { randomBytes } from "node:crypto";
import Provider from "oidc-provider";

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");
const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: (process.env.OIDC_GRANT_TYPES || "authorization_code").split(","),
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  }],
  claims: { email: ["email", "email_verified"], profile: ["name"] },
  scopes: ["openid", "offline_access", "email", "profile"],
  ttl: { AccessToken: Number(process.env.OIDC_ACCESS_TTL || 3600) },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  pkce: { required: () => true },
  // The development login pages: any password; the login names the account.
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const known = accounts[id];
    return {
      accountId: id,
      async claims() {
        return known
          ? { sub: id, email: known.email, email_verified: known.email_verified ?? true, name: known.name }
          : { sub: id };
      },
    };
  },
};

const server = (await import("node:http")).createServer();
server.listen(Number(process.env.OIDC_PORT || 0), "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  provider.on("server_error", (ctx, error) => console.error("server_error", error));
  server.on("request", provider.callback());
  console.log(JSON.stringify({ issuer }));
});
process.on("SIGTERM", () => process.exit(0));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
