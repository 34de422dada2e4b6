// expect: vulnerable permissive_cors CWE-942
import Fastify from 'fastify';
import cors from '@fastify/cors';

const app = Fastify();
await app.register(cors, { origin: '*', credentials: true });
app.get('/account', async (req) => ({ id: req.id }));
