// Baseline for bench:ingest: a bare Fastify route that parses the same JSON body and answers 200, in its own process.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/api/v1/events', async () => ({ accepted: 1, duplicates: 0 }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
