import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create(process.argv[2]);
for (const q of process.argv.slice(3)) { const r = await db.query(q); for (const row of r.rows) console.log(JSON.stringify(row)); }
await db.close();
