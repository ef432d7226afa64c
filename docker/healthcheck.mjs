#!/usr/bin/env node
// The container's health check: exits 0 when this container's EchoSphere process answers `GET /readyz` with a 2xx
// (it answers only while its database does), 1 otherwise. The port is the first argument, else PORT (the api role).
const port = process.argv[2] ?? process.env.PORT ?? '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) console.error(`/readyz answered ${response.status}: ${await response.text()}`);
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  console.error(`/readyz did not answer on port ${port}: ${error.message}`);
  process.exitCode = 1;
}
