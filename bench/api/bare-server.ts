// Child process: the floor to compare against — bare Express + pg running the same assistant lookup, no auth,
// no validation, no tenant transaction; it connects as the server's administrator, which row-level security does not
// filter.
import express from 'express';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const orgId = process.env.BENCH_ORG_ID!;
const app = express();
app.get('/v1/assistants/:id', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM assistants WHERE org_id = $1 AND id = $2', [orgId, req.params.id]);
  if (!rows[0]) return void res.status(404).json({ error: 'not found' });
  res.json(rows[0]);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
