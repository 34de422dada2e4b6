// expect: safe hard_coded_secret CWE-798
import { Pool } from 'pg';

export const pool = new Pool({
  host: 'db.internal',
  user: 'billing',
  password: process.env.PGPASSWORD,
  database: 'billing',
});
