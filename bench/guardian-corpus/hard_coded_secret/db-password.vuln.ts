// expect: vulnerable hard_coded_secret CWE-798
import { Pool } from 'pg';

export const pool = new Pool({
  host: 'db.internal',
  user: 'billing',
  password: 'Xk9#mP2vL!q8Rz4w',
  database: 'billing',
});
