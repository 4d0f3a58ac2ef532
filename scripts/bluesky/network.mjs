// A real Bluesky network on loopback (PLC directory + PDS, the reference servers from
// @atproto/dev-env) for the adapter tests and the demo. Prints one JSON line with the
// service URLs once ready, then runs until stdin closes or it gets SIGTERM/SIGINT.
// Usage: node network.mjs [PDS_PORT] [PLC_PORT]   (0 or nothing: free ports)
import net from "node:net";

// The servers listen on every interface by default; ours listen on loopback only.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  } else if (typeof args[0] === "object" && args[0] !== null && args[0].port !== undefined) {
    args[0] = { ...args[0], host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};

const { TestNetworkNoAppView } = await import("@atproto/dev-env");
// A free loopback port (the servers' own defaults are fixed ports on every interface).
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const [pdsPort, plcPort] = process.argv.slice(2).map(Number);
// Handles under .test (tests) and .nyc.gov (the demo city's accounts, e.g. dot.nyc.gov).
const network = await TestNetworkNoAppView.create({
  pds: { port: pdsPort || (await freePort()), serviceHandleDomains: [".test", ".nyc.gov"] },
  plc: { port: plcPort || (await freePort()) },
});
console.log(JSON.stringify({ pds: network.pds.url, plc: network.plc.url, admin_password: "admin-pass" }));

let closing = false;
async function close() {
  if (closing) return;
  closing = true;
  await network.close();
  process.exit(0);
}
process.on("SIGTERM", close);
process.on("SIGINT", close);
process.stdin.on("end", close);
process.stdin.resume();
